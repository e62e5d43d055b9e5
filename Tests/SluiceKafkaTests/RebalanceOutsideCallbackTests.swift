import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import Synchronization
import XCTest

/// Restores and seeks run in the worker's loop between two polls, never inside librdkafka's
/// rebalance callback: two exactly-once workers of the keyed click count on Tansu, the second
/// joining after the first committed checkpoints, so the group moves partitions and the
/// newcomer restores their tasks. Every restore is observed on the driver thread while it runs
/// (the checkpoint observer is called from inside the restore) and the worker's consumer is
/// asked whether its rebalance callback is running at that moment; the seeks and assignments
/// that follow a restore refuse to run inside the callback (``KafkaConnectorError``), so a
/// job that did would fail. The output, read as read_committed, is exactly the windows the
/// test computes.
final class RebalanceOutsideCallbackTests: KafkaJobTestCase {
    /// What one worker's observers saw.
    final class Observed: Sendable {
        let restores = Mutex<[(task: TaskID, insideCallback: Bool)]>([])
        let commits = Atomic<Int>(0)
        let rebalances = Mutex<[RebalanceEvent]>([])
    }

    func testRestoresRunBetweenPollsNotInsideTheRebalanceCallback() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("clicks"), output = uniqueName("counts"), jobName = uniqueName("outside-callback")
        try admin.createTopic(input, partitions: RepartitionTests.inputPartitions)
        try admin.createTopic(output, partitions: 1)

        let first = Observed(), second = Observed()
        let w0 = start(try build(bootstrap: broker.bootstrap, input: input, output: output, jobName: jobName, workerID: "w0", observed: first))
        let expected = try RepartitionTests.produceInput(bootstrap: broker.bootstrap, topic: input)
        // One commit is enough: the first checkpoint holds every task, so whatever moves to w1 has
        // one to restore. (A worker commits only while something changed, and the whole input
        // can be read within two intervals: waiting for three commits failed in CI.)
        try waitUntil("w0 committed a checkpoint", timeout: .seconds(60)) { first.commits.load(ordering: .relaxed) >= 1 }
        let w1 = start(try build(bootstrap: broker.bootstrap, input: input, output: output, jobName: jobName, workerID: "w1", observed: second))
        try waitUntil("w1 restored tasks it took over", timeout: .seconds(90)) {
            !second.restores.withLock { $0.isEmpty } && second.commits.load(ordering: .relaxed) >= 1
        }
        let seen = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: expected.count, timeout: 60)
        try w1.stop()
        try w0.stop()

        let restores = first.restores.withLock { $0 } + second.restores.withLock { $0 }
        print("[\(name)] restores: \(restores.map { "\($0.task)\($0.insideCallback ? " INSIDE" : "")" })")
        XCTAssertFalse(second.restores.withLock { $0 }.isEmpty, "the newcomer restored the tasks it took over")
        XCTAssertEqual(restores.filter(\.insideCallback).map(\.task), [], "no restore ran inside the rebalance callback")
        let moved = second.rebalances.withLock { $0 }.filter { $0.change == .assigned && !$0.splits.isEmpty }
        XCTAssertFalse(moved.isEmpty, "partitions moved to w1")
        let revoked = Set(first.rebalances.withLock { $0 }.filter { $0.change == .revoked }.flatMap(\.splits))
        XCTAssertTrue(Set(moved.flatMap(\.splits)).isSubset(of: revoked), "w1 got only what w0 let go: \(moved) vs \(revoked)")
        let lines = seen.map { String(decoding: $0.value, as: UTF8.self) }.filter { !$0.hasPrefix(RepartitionTests.endMarker) }.sorted()
        XCTAssertEqual(lines, expected, "exactly the expected windows through the rebalance")
    }

    /// The click count of ``ClickCountJob``, with observers on `observed` that ask the worker's
    /// runtime, during each restore, whether librdkafka's rebalance callback is running.
    private func build(bootstrap: String, input: String, output: String, jobName: String, workerID: String,
                       observed: Observed) throws -> Job {
        let kafka = try KafkaRuntime(
            bootstrapServers: bootstrap, workerID: workerID, consumer: TansuGroupSettings.options)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(300)
        configuration.checkpointObserver = { [kafka] event in
            switch event {
            case .restored(let report):
                let inside = kafka.isInRebalanceCallback
                observed.restores.withLock { $0.append((report.task, inside)) }
            case .committed:
                observed.commits.add(1, ordering: .relaxed)
            default:
                break
            }
        }
        configuration.rebalanceObserver = { event in observed.rebalances.withLock { $0.append(event) } }
        let env = StreamEnvironment(jobName: jobName, runtime: kafka, configuration: configuration)
        env.fromSource(try kafka.source(topics: [input]), deserializer: JSONCodec<ClickCountJob.Click>())
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(seconds: 5))
            .aggregate(Count()) { user, window, count in (user, window.start, count) }
            .sink(to: kafka.sink(topic: output)) { user, start, count in
                SinkRecord(key: Array(user.utf8), value: Array("\(user)\t\(start)\t\(count)".utf8))
            }
        return try env.build()
    }

    private func waitUntil(_ what: String, timeout: Duration, _ condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw JobTestError("\(what): not within \(timeout)") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}
