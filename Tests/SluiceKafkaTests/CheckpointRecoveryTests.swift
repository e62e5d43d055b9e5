import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import Synchronization
import XCTest

/// Recovery that must not guess, on Tansu: a committed checkpoint pointer whose manifest cannot
/// be read, or a checkpoint whose input position disagrees with the group's committed offset
/// (moved by hand), stops the job with one message naming job, task and offsets, never a
/// silent empty state; with the operator's explicit reset flag the job goes on from empty
/// state and says so.
final class CheckpointRecoveryTests: KafkaJobTestCase {
    private struct Setup {
        let broker: TestBroker
        let spec: WorkerSpec
    }

    /// Runs the purchase job over 2,000 records until it committed them, and stops it.
    private func runOnce() throws -> Setup {
        let (broker, admin) = try startTansu()
        let spec = WorkerSpec(
            bootstrap: broker.bootstrap, input: uniqueName("purchases"), output: uniqueName("totals"),
            job: uniqueName("recovery-job"), workerID: "w0")
        try admin.createTopic(spec.input, partitions: PurchaseJob.partitions)
        try admin.createTopic(spec.output, partitions: 1)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        for index in 0..<2_000 {
            let (partition, timestamp, purchase) = PurchaseJob.purchase(index)
            try producer.send(topic: spec.input, partition: partition, key: nil,
                              value: Array(try JSONEncoder().encode(purchase)), timestamp: timestamp)
        }
        try producer.flush()
        let job = try PurchaseJob.build(spec: spec, configuration: configuration()).build()
        let running = start(job)
        let check = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: spec.job))
        defer { check.close() }
        let inputs = (0..<PurchaseJob.partitions).map { TopicPartition(spec.input, $0) }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try check.committed(inputs).map(\.offset) != [500, 500, 500, 500] {
            Thread.sleep(forTimeInterval: 0.2)
        }
        try running.stop()
        XCTAssertEqual(try check.committed(inputs).map(\.offset), [500, 500, 500, 500], "the first run committed its input")
        return Setup(broker: broker, spec: spec)
    }

    private final class ResetLog: Sendable {
        let lines = Mutex<[String]>([])
    }

    private func configuration(resets: Bool = false, events: ResetLog? = nil) -> JobConfiguration {
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(300)
        configuration.restartStrategy = .none
        configuration.resetsUnreadableState = resets
        configuration.checkpointObserver = { event in
            if case .stateReset(let task, let reason) = event { events?.lines.withLock { $0.append("\(task): \(reason)") } }
        }
        return configuration
    }

    /// Commits `offset` for `partition` in the job's group by hand, as an operator tool would.
    private func commitByHand(_ setup: Setup, _ partition: TopicPartitionOffset) throws {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: setup.broker.bootstrap, groupID: setup.spec.job))
        defer { consumer.close() }
        try consumer.commit([partition])
    }

    func testUnreadableManifestStopsTheJobUnlessResetIsAllowed() throws {
        guard try runsOnLibrdkafka216() else { return }
        let setup = try runOnce()
        defer { setup.broker.stop() }
        // Point task 1.0's checkpoint pointer at a record that is no manifest.
        let checkpoints = JobTopics(job: setup.spec.job).checkpoints(stage: 1)
        let offset = Mutex<Int64>(-1)
        let writer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: setup.broker.bootstrap)) { report in
            offset.withLock { $0 = report.offset }
        }
        try writer.send(topic: checkpoints, partition: 0, key: Array("junk".utf8), value: Array("not a manifest".utf8))
        try writer.flush()
        let junk = offset.withLock { $0 }
        XCTAssertGreaterThanOrEqual(junk, 0)
        try commitByHand(setup, TopicPartitionOffset(checkpoints, 0, offset: junk + 1))

        let failing = try PurchaseJob.build(spec: setup.spec, configuration: configuration())
        XCTAssertThrowsError(try failing.execute()) { error in
            let text = "\(error)"
            print("[\(name)] without reset: \(text)")
            XCTAssertTrue(text.contains("job \(setup.spec.job)") && text.contains("task 1.0") && text.contains(checkpoints)
                          && text.contains("\(junk + 1)") && text.contains("\(junk)"), text)
        }

        let resets = ResetLog()
        let resetting = try PurchaseJob.build(spec: setup.spec, configuration: configuration(resets: true, events: resets)).build()
        let running = start(resetting)
        let deadline = Date().addingTimeInterval(60)
        while resets.lines.withLock({ $0.isEmpty }), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        let metrics = try running.stop()
        let said = resets.lines.withLock { $0 }
        print("[\(name)] with reset: \(said); \(metrics.commits) checkpoints")
        XCTAssertEqual(said.count, 1, "exactly the unreadable task was reset")
        XCTAssertTrue(said.first?.hasPrefix("task 1.0: ") == true && said.first?.contains("\(junk + 1)") == true, "\(said)")
    }

    func testInputOffsetMovedByHandStopsTheJob() throws {
        guard try runsOnLibrdkafka216() else { return }
        let setup = try runOnce()
        defer { setup.broker.stop() }
        try commitByHand(setup, TopicPartitionOffset(setup.spec.input, 2, offset: 100))
        let job = try PurchaseJob.build(spec: setup.spec, configuration: configuration())
        XCTAssertThrowsError(try job.execute()) { error in
            let text = "\(error)"
            print("[\(name)] \(text)")
            XCTAssertTrue(text.contains("job \(setup.spec.job)") && text.contains("\(setup.spec.input)[2]")
                          && text.contains("offset 500") && text.contains("is 100"), text)
        }
    }
}
