import BrokerRig
import Foundation
import RdKafka
import Sluice
import SluiceKafka
import XCTest

private extension BadInputPolicy {
    var stops: Bool { if case .fail = self { true } else { false } }
}

/// A record a sink cannot write because of itself (larger than the producer's
/// `message.max.bytes`) follows the job's bad-input policy like any other bad record, instead of
/// failing the transaction, and so every restart, at the same place (Tansu, exactly-once).
final class RecordRejectionTests: KafkaJobTestCase {
    /// Doubles each number; number 7 becomes a 2 MB value, over the producer's 1 MB limit.
    private func runJob(policy: BadInputPolicy) throws -> (metrics: Result<JobMetrics, any Error>, output: [String], input: String) {
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("numbers"), output = uniqueName("doubled")
        try admin.createTopic(input, partitions: 1)
        try admin.createTopic(output, partitions: 1)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        for number in 0..<20 { try producer.send(topic: input, key: nil, value: Array(String(number).utf8)) }
        try producer.flush()

        let kafka = try KafkaRuntime(bootstrapServers: broker.bootstrap, workerID: "w0", consumer: Self.groupOptions)
        var configuration = JobConfiguration()
        configuration.badInputPolicy = policy
        configuration.checkpointInterval = .milliseconds(300)
        configuration.restartStrategy = .none
        let env = StreamEnvironment(jobName: uniqueName("rejection"), runtime: kafka, configuration: configuration)
        env.fromSource(try kafka.source(topics: [input]), deserializer: UTF8StringCodec())
            .map { Int($0)! }
            .sink(to: kafka.sink(topic: output)) { number in
                SinkRecord(value: number == 7 ? [UInt8](repeating: 55, count: 2_000_000) : Array(String(number * 2).utf8))
            }
        let running = start(try env.build())
        // Under the fail policy the job stops at record 7: nothing more to wait for.
        let results = try readAll(bootstrap: broker.bootstrap, topic: output, count: 19, timeout: .seconds(policy.stops ? 5 : 30))
        let metrics = Result { try running.stop() }
        return (metrics, results.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }, input)
    }

    func testAnOversizedRecordIsSkippedUnderTheSkipPolicy() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (metrics, output, _) = try runJob(policy: .skip)
        XCTAssertEqual(try metrics.get().skippedRecords, 1, "the oversized record was skipped")
        XCTAssertEqual(output.sorted(), (0..<20).filter { $0 != 7 }.map { String($0 * 2) }.sorted(), "every other record was written once")
    }

    func testAnOversizedRecordStopsTheJobUnderTheFailPolicyNamingItsSource() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (metrics, output, input) = try runJob(policy: .fail)
        XCTAssertThrowsError(try metrics.get()) { error in
            let text = "\(error)"
            print("[\(name)] \(text)")
            XCTAssertTrue(text.contains("topic \(input), partition 0, offset 7") && text.contains("MSG_SIZE_TOO_LARGE"), text)
        }
        XCTAssertTrue(output.isEmpty || !output.contains(String(7 * 2)), "nothing of the failed record was written")
    }
}
