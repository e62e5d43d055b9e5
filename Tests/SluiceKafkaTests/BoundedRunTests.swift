import BrokerRig
import Foundation
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// Bounded runs (backfills) on Tansu, exactly-once: a run that ends at a timestamp stops each
/// partition before its first record at or past the instant, commits exactly up to there and
/// returns by itself; a second run from the committed offsets that ends at the end offsets
/// captured at its start handles the rest, so the two runs together write each record once.
final class BoundedRunTests: KafkaJobTestCase {
    private let base: Int64 = 1_700_000_000_000
    private let perPartition = 60

    /// Record `i` of partition `p` has timestamp `base + i s`, except that record 45 of
    /// partition 0 goes back in time (5 s), after the end instant was passed.
    private func timestamp(partition: Int32, index: Int) -> Int64 {
        partition == 0 && index == 45 ? base + 5_000 : base + Int64(index) * 1_000
    }

    func testARunEndingAtATimestampStopsBeforeTheFirstLaterRecordAndTheNextRunEndsAtTheEndOffsets() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("events"), output = uniqueName("copied"), jobName = uniqueName("backfill")
        try admin.createTopic(input, partitions: 3)
        try admin.createTopic(output, partitions: 1)
        // One record per batch: Tansu reports a partition's high watermark as its last batch's
        // base offset + 1, which is the end only when that batch holds one record.
        var producerConfiguration = ProducerConfiguration(bootstrapServers: broker.bootstrap)
        producerConfiguration.client.properties["batch.num.messages"] = "1"
        let producer = try KafkaProducer(configuration: producerConfiguration)
        for partition: Int32 in 0..<3 {
            for index in 0..<perPartition {
                try producer.send(
                    topic: input, partition: partition, key: nil, value: Array("\(partition)/\(index)".utf8),
                    timestamp: timestamp(partition: partition, index: index))
            }
        }
        try producer.flush()

        // Every partition's first record at or past the instant is its record 30; partition 0's
        // record 45 is older than the instant but comes after it, so the first run leaves it too.
        let instant = base + 30_000
        let first = try runToEnd(
            bootstrap: broker.bootstrap, job: jobName, input: input, output: output,
            ending: .timestamp(millisecondsSinceEpoch: instant))
        let expectedFirst = (0..<3).flatMap { partition in (0..<30).map { "\(partition)/\($0)" } }
        XCTAssertEqual(first.recordsRead, 90, "the first run handled 30 records per partition")
        let afterFirst = try readAll(bootstrap: broker.bootstrap, topic: output, count: 90)
        XCTAssertEqual(values(afterFirst).sorted(), expectedFirst.sorted(),
                       "the first run wrote each record before the instant once, and none at or after it")

        let committed = try committedOffsets(bootstrap: broker.bootstrap, group: jobName, topic: input)
        XCTAssertEqual(committed, [0: 30, 1: 30, 2: 30], "each partition committed up to its first record at or past the instant")

        // The second run starts at the committed offsets and ends at the end offsets.
        let second = try runToEnd(bootstrap: broker.bootstrap, job: jobName, input: input, output: output, ending: .latestAtStart)
        XCTAssertEqual(second.recordsRead, 90, "the second run handled the other 30 records of each partition")
        let all = try readAll(bootstrap: broker.bootstrap, topic: output, count: 180)
        let expectedAll = (0..<3).flatMap { partition in (0..<perPartition).map { "\(partition)/\($0)" } }
        XCTAssertEqual(values(all).sorted(), expectedAll.sorted(), "the two runs together wrote every record exactly once")
        XCTAssertEqual(try committedOffsets(bootstrap: broker.bootstrap, group: jobName, topic: input),
                       [0: Int64(perPartition), 1: Int64(perPartition), 2: Int64(perPartition)])
    }

    /// Runs the copy job until it ends by itself (it is bounded), on a thread of its own.
    private func runToEnd(bootstrap: String, job: String, input: String, output: String, ending: KafkaSourceEnd) throws -> JobMetrics {
        let kafka = try KafkaRuntime(bootstrapServers: bootstrap, workerID: "w0", consumer: Self.groupOptions)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(300)
        configuration.restartStrategy = .none
        let env = StreamEnvironment(jobName: job, runtime: kafka, configuration: configuration)
        env.fromSource(try kafka.source(topics: [input], ending: ending), deserializer: UTF8StringCodec())
            .sink(to: kafka.sink(topic: output)) { SinkRecord(value: Array($0.utf8)) }
        return try start(try env.build()).waitForEnd()
    }

    private func values(_ records: [ConsumerRecord]) -> [String] {
        records.map { String(decoding: $0.value ?? [], as: UTF8.self) }
    }

    private func committedOffsets(bootstrap: String, group: String, topic: String) throws -> [Int32: Int64] {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: bootstrap, groupID: group))
        defer { consumer.close() }
        let committed = try consumer.committed((0..<3).map { TopicPartition(topic, $0) })
        return Dictionary(uniqueKeysWithValues: committed.map { ($0.topicPartition.partition, $0.offset) })
    }
}
