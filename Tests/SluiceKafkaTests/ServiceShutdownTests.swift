import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// A job run as a ``JobService`` in a swift-service-lifecycle `ServiceGroup` (what `run`, the
/// demo workers and `sluice-test-worker` do), stopped by a real SIGTERM, on Tansu, exactly once.
///
/// The worker is a child process (``WorkerProcess``, running ``UpperCaseJob``): the signal goes to it, not to the test
/// runner. Its checkpoint interval is ten minutes, so the only checkpoint that can hold its
/// progress is the one the shutdown makes: after SIGTERM, the group's committed input offsets
/// must equal the records it read, its output (read as read_committed) must hold each input
/// record's result exactly once, and the consumer group must be empty: the worker left it
/// instead of timing out of it.
final class ServiceShutdownTests: KafkaJobTestCase {
    static let partitions: Int32 = 2
    static let perPartition = 2_500

    func testSigtermMakesAFinalCheckpointAndLeavesTheGroup() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("lines"), output = uniqueName("upper"), job = uniqueName("service-job")
        try admin.createTopic(input, partitions: Self.partitions)
        try admin.createTopic(output, partitions: 1)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        var inputs: [String] = []
        for partition in 0..<Self.partitions {
            for index in 0..<Self.perPartition {
                let line = "line \(partition)-\(index)"
                inputs.append(line)
                try producer.send(topic: input, partition: partition, key: nil, value: Array(line.utf8))
            }
        }
        try producer.flush()
        let expected = inputs.map { $0.uppercased() }.sorted()

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("service"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = WorkerSpec(bootstrap: broker.bootstrap, input: input, output: output, job: job, workerID: "w0",
                              checkpointIntervalMillis: 600_000, parameters: ["statusIntervalMillis": "500"],
                              pipeline: .upperCase, reportsProgress: true)
        let worker = try WorkerProcess(spec: spec, directory: directory, incarnation: 1)
        defer { worker.kill() }

        // Every input record decoded (the progress lines count them), none committed yet.
        let readAll = worker.wait(timeout: 90) { $0.output.contains("input=\(inputs.count) ") }
        XCTAssertTrue(readAll, "the worker read every record:\n\(worker.indentedOutput())")
        let before = worker.events("committed").count
        XCTAssertEqual(before, 0, "no checkpoint before the signal (the interval is ten minutes)")
        let group = try admin.describeConsumerGroup(job)
        print("[\(name)] before SIGTERM: \(group); \(before) checkpoints")
        XCTAssertTrue(group.hasActiveState, "the worker is a member of the group while it runs: \(group)")

        // Its status lines, every 500 ms, at notice level (shown by default) under their own
        // label, with the job's and worker's metadata.
        let statusLines = worker.output.split(separator: "\n").filter { $0.contains(" \(job) w0: ") }
        print("[\(name)] \(statusLines.count) status lines, the last: \(statusLines.last ?? "none")")
        XCTAssertFalse(statusLines.isEmpty, "status lines:\n\(worker.indentedOutput())")
        for line in statusLines {
            XCTAssertTrue(line.contains(" notice sluice.status: "), String(line))
            XCTAssertTrue(line.contains(" job=\(job) ") && line.contains(" worker=w0 "), String(line))
            XCTAssertTrue(line.contains(" [Sluice] \(job) w0: "), String(line))
            XCTAssertTrue(line.hasSuffix(" rec/s out, no checkpoint yet"), String(line))
        }

        let started = Date()
        let status = worker.terminate(timeout: 60)
        print("[\(name)] SIGTERM to exit: \(String(format: "%.1f", Date().timeIntervalSince(started))) s\n\(worker.indentedOutput(limit: 12))")
        XCTAssertEqual(status, 0, "a graceful exit:\n\(worker.indentedOutput())")

        // The final checkpoint, holding every record read.
        XCTAssertGreaterThan(worker.events("committed").count, before, "a checkpoint after the signal")
        let stopped = worker.output.split(separator: "\n").first { $0.hasPrefix("STOPPED w0: ") }
        XCTAssertEqual(stopped.map { $0.hasPrefix("STOPPED w0: \(inputs.count) records read, ") }, true,
                       "the job's own count of records read: \(stopped ?? "none")")
        let check = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: job))
        defer { check.close() }
        let committed = try check.committed((0..<Self.partitions).map { TopicPartition(input, $0) })
        XCTAssertEqual(committed.map(\.offset), Array(repeating: Int64(Self.perPartition), count: Int(Self.partitions)),
                       "the group's committed offsets are the end of every partition: every record read")
        let results = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output,
                                                    expect: expected.count, timeout: 60)
        XCTAssertEqual(results.compactMap(\.valueString).sorted(), expected, "each record's result once, read_committed")

        // The clean leave: nobody is left in the group.
        let left = try admin.describeConsumerGroup(job)
        print("[\(name)] after the exit: \(left)")
        XCTAssertEqual(left.members, [])
        XCTAssertEqual(left.state, "Empty")
    }
}
