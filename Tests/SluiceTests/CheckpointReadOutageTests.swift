import Foundation
import SluiceTesting
import Synchronization
import XCTest
@testable import Sluice

/// A checkpoint log that cannot be read while a worker restores is an outage, not a damaged
/// checkpoint: the worker stops with the log's own (recoverable) error, resets no state even
/// when the job allows resetting unreadable state, and a later worker restores the same
/// checkpoints, so every result still arrives once.
final class CheckpointReadOutageTests: XCTestCase {
    func testAnOutageWhileRestoringResetsNoState() throws {
        let broker = MemoryBroker()
        broker.crashAtCommit(12)
        let expected = try ExactlyOnceEngineTests.fill(broker, topic: "purchases", count: 2_000, seed: 11)
        try broker.createTopic("totals", partitions: 1)
        XCTAssertThrowsError(try ExactlyOnceEngineTests.runJob(on: broker)) { error in
            guard case JobError.connectorFailed(_, _ as MemoryBroker.InjectedCrash) = error else { return XCTFail("\(error)") }
        }
        let checkpointSplits = (0..<2).flatMap { stage in
            (0..<ExactlyOnceEngineTests.partitions).map { JobTopics(job: "eos").checkpointSplit(of: TaskID(stage: stage, partition: $0)) }
        }
        XCTAssertFalse(broker.group("eos").committedOffsets(for: checkpointSplits).isEmpty, "the crashed worker committed checkpoints to restore")
        let committedBefore = broker.committedValues("totals").count

        let events = Mutex<[CheckpointEvent]>([])
        let checkpointTopics = Set(checkpointSplits.map(\.topic))
        broker.makeUnreachable(checkpointTopics)
        XCTAssertThrowsError(try runJob(on: broker) { event in events.withLock { $0.append(event) } }) { error in
            let outage = Self.outage(in: error)
            XCTAssertNotNil(outage, "the log's own error, not a checkpoint error: \(error)")
            XCTAssertFalse(error is CheckpointError, "\(error)")
            XCTAssertEqual(outage?.isFatal, false, "recoverable: a restart strategy may retry it")
            if case .unreachable(let topic, _)? = outage {
                XCTAssertTrue(checkpointTopics.contains(topic), "it names the partition it read: \(topic)")
            }
        }
        let resets = events.withLock { $0 }.filter { if case .stateReset = $0 { true } else { false } }
        XCTAssertTrue(resets.isEmpty, "no state reset for an outage: \(resets)")
        XCTAssertEqual(broker.committedValues("totals").count, committedBefore, "the failed worker committed nothing")

        broker.makeReachable(checkpointTopics)
        _ = try runJob(on: broker) { _ in }
        let lines = broker.committedValues("totals").map { String(decoding: $0, as: UTF8.self) }.sorted()
        XCTAssertEqual(lines, expected, "every result exactly once, from the checkpoints the outage left alone")
    }

    /// The outage ends while the worker retries: the tasks whose restore failed are built by the
    /// rewind that follows, and only then read, and every result arrives once.
    func testTasksWhoseRestoreFailedAreBuiltWhenTheOutageEnds() throws {
        let broker = MemoryBroker()
        broker.crashAtCommit(12)
        let expected = try ExactlyOnceEngineTests.fill(broker, topic: "purchases", count: 2_000, seed: 12)
        try broker.createTopic("totals", partitions: 1)
        XCTAssertThrowsError(try ExactlyOnceEngineTests.runJob(on: broker))
        let checkpointTopics: Set<String> = ["eos-0-checkpoints", "eos-1-checkpoints"]
        broker.makeUnreachable(checkpointTopics)
        let restarts = Mutex(0)
        let metrics = try runJob(on: broker, attempts: 10) { event in
            guard case .restarting = event else { return }
            // Two failed restores, then the brokers are back.
            if restarts.withLock({ $0 += 1; return $0 }) == 2 { broker.makeReachable(checkpointTopics) }
        }
        XCTAssertEqual(metrics.restarts, 2, "one restart per failed restore")
        let lines = broker.committedValues("totals").map { String(decoding: $0, as: UTF8.self) }.sorted()
        XCTAssertEqual(lines, expected, "every result exactly once after the outage")
    }

    /// A rewind (after an aborted commit) whose restores cannot read is retried with every
    /// task, none forgotten.
    func testARewindThatCannotReadIsRetriedWithEveryTask() throws {
        let broker = MemoryBroker()
        broker.failCommits([9])
        let expected = try ExactlyOnceEngineTests.fill(broker, topic: "purchases", count: 2_000, seed: 13)
        try broker.createTopic("totals", partitions: 1)
        let checkpointTopics: Set<String> = ["eos-0-checkpoints", "eos-1-checkpoints"]
        let restarts = Mutex(0)
        let metrics = try runJob(on: broker, attempts: 10) { event in
            switch event {
            case .aborted: broker.makeUnreachable(checkpointTopics)
            case .restarting:
                if restarts.withLock({ $0 += 1; return $0 }) == 3 { broker.makeReachable(checkpointTopics) }
            default: break
            }
        }
        XCTAssertGreaterThanOrEqual(metrics.restarts, 3, "the failed commit's restart, then two that could not read")
        let lines = broker.committedValues("totals").map { String(decoding: $0, as: UTF8.self) }.sorted()
        XCTAssertEqual(lines, expected, "every result exactly once after the outage")
    }

    // MARK: Helpers

    /// ``ExactlyOnceEngineTests/runJob(on:)``'s job, allowed to reset unreadable state.
    private func runJob(on broker: MemoryBroker, attempts: Int = 3, observer: @escaping @Sendable (CheckpointEvent) -> Void) throws -> JobMetrics {
        let runtime = MemoryBrokerRuntime(broker: broker, ending: .atEndOffsets)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .zero
        configuration.threads = 1
        configuration.restartStrategy = .fixedDelay(delay: .zero, maxAttempts: attempts)
        configuration.fullSnapshotInterval = 3
        configuration.resetsUnreadableState = true
        configuration.checkpointObserver = observer
        let env = StreamEnvironment(jobName: "eos", runtime: runtime, configuration: configuration)
        env.fromSource(try runtime.source(topics: ["purchases"], maxRecordsPerSplit: 7), deserializer: JSONCodec<ExactlyOnceEngineTests.Purchase>())
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(.milliseconds(ExactlyOnceEngineTests.windowMillis)))
            .aggregate(ExactlyOnceEngineTests.SumPurchases()) { user, window, totals in
                "\(user)\t\(window.start)\t\(totals.count)\t\(totals.sum)"
            }
            .sink(to: runtime.sink(topic: "totals")) { line in SinkRecord(value: Array(line.utf8)) }
        return try env.execute()
    }

    private static func outage(in error: any Error) -> MemoryBrokerError? {
        if let outage = error as? MemoryBrokerError, case .unreachable = outage { return outage }
        if case JobError.connectorFailed(_, let underlying) = error { return outage(in: underlying) }
        if case JobError.restartsExhausted(_, let last) = error { return outage(in: last) }
        return nil
    }
}
