import Foundation
import Synchronization
import XCTest
@testable import Sluice

/// A checkpoint log that cannot be read while a worker restores is an outage, not a damaged
/// checkpoint: the worker stops with the log's own (recoverable) error, resets no state even
/// when the job allows resetting unreadable state, and a later worker restores the same
/// checkpoints, so every result still arrives once.
final class CheckpointReadOutageTests: XCTestCase {
    func testAnOutageWhileRestoringResetsNoState() throws {
        let broker = MemoryBroker(crashingCommit: 12)
        let expected = ExactlyOnceEngineTests.fill(broker, topic: "purchases", count: 2_000, seed: 11)
        broker.createTopic("totals", partitions: 1)
        XCTAssertThrowsError(try ExactlyOnceEngineTests.runJob(on: broker)) { error in
            guard case JobError.connectorFailed(_, _ as MemoryBroker.InjectedCrash) = error else { return XCTFail("\(error)") }
        }
        let checkpointSplits = (0..<2).flatMap { stage in
            (0..<ExactlyOnceEngineTests.partitions).map { JobTopics(job: "eos").checkpointSplit(of: TaskID(stage: stage, partition: $0)) }
        }
        XCTAssertFalse(broker.committedOffsets(checkpointSplits).isEmpty, "the crashed worker committed checkpoints to restore")
        let committedBefore = broker.committedValues("totals").count

        let events = Mutex<[CheckpointEvent]>([])
        XCTAssertThrowsError(try runJob(on: broker, readsFail: true) { event in events.withLock { $0.append(event) } }) { error in
            let outage = Self.outage(in: error)
            XCTAssertNotNil(outage, "the log's own error, not a checkpoint error: \(error)")
            XCTAssertFalse(error is CheckpointError, "\(error)")
            XCTAssertEqual(outage?.isFatal, false, "recoverable: a restart strategy may retry it")
            XCTAssertTrue(outage.map { checkpointSplits.contains($0.split) } ?? false, "it names the partition it read")
        }
        let resets = events.withLock { $0 }.filter { if case .stateReset = $0 { true } else { false } }
        XCTAssertTrue(resets.isEmpty, "no state reset for an outage: \(resets)")
        XCTAssertEqual(broker.committedValues("totals").count, committedBefore, "the failed worker committed nothing")

        _ = try runJob(on: broker, readsFail: false) { _ in }
        let lines = broker.committedValues("totals").map { String(decoding: $0, as: UTF8.self) }.sorted()
        XCTAssertEqual(lines, expected, "every result exactly once, from the checkpoints the outage left alone")
    }

    // MARK: Helpers

    /// ``ExactlyOnceEngineTests/runJob(on:)``'s job, allowed to reset unreadable state, its
    /// checkpoint reads failing when `readsFail`.
    private func runJob(on broker: MemoryBroker, readsFail: Bool, observer: @escaping @Sendable (CheckpointEvent) -> Void) throws -> JobMetrics {
        let runtime = OutageRuntime(broker: broker, readsFail: readsFail)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .zero
        configuration.threads = 1
        configuration.restartStrategy = .fixedDelay(delay: .zero, maxAttempts: 3)
        configuration.fullSnapshotInterval = 3
        configuration.resetsUnreadableState = true
        configuration.checkpointObserver = observer
        let env = StreamEnvironment(jobName: "eos", runtime: runtime, configuration: configuration)
        env.fromSource(runtime.memory.source, deserializer: JSONCodec<ExactlyOnceEngineTests.Purchase>())
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(.milliseconds(ExactlyOnceEngineTests.windowMillis)))
            .aggregate(ExactlyOnceEngineTests.SumPurchases()) { user, window, totals in
                "\(user)\t\(window.start)\t\(totals.count)\t\(totals.sum)"
            }
            .sink(to: runtime.memory.sink(topic: "totals")) { line in SinkRecord(value: Array(line.utf8)) }
        return try env.execute()
    }

    private static func outage(in error: any Error) -> Outage? {
        if let outage = error as? Outage { return outage }
        if case JobError.connectorFailed(_, let underlying) = error { return outage(in: underlying) }
        return nil
    }

    /// What a log that cannot reach its brokers throws.
    struct Outage: ConnectorError, CustomStringConvertible {
        var split: Split
        var isFatal: Bool { false }
        var description: String { "cannot reach the log while reading \(split)" }
    }

    /// A ``MemoryBrokerRuntime`` whose checkpoint reads fail when told.
    private final class OutageRuntime: JobRuntime, @unchecked Sendable {
        let memory: MemoryBrokerRuntime
        let readsFail: Bool

        init(broker: MemoryBroker, readsFail: Bool) {
            memory = MemoryBrokerRuntime(broker: broker, input: "purchases")
            self.readsFail = readsFail
        }

        var guarantee: DeliveryGuarantee { .exactlyOnce }

        func openWorker(plan: JobPlan) throws -> WorkerServices {
            var services = try memory.openWorker(plan: plan)
            if readsFail { services.checkpointLog = OutageLog(base: MemoryBrokerCheckpointLog(broker: memory.broker)) }
            return services
        }
    }

    /// Writes through to the broker; every read fails.
    private final class OutageLog: CheckpointLog {
        let base: MemoryBrokerCheckpointLog
        init(base: MemoryBrokerCheckpointLog) { self.base = base }

        func ensureTopics(_ topics: [InternalTopic]) throws { try base.ensureTopics(topics) }
        func append(to split: Split, key: [UInt8], value: [UInt8]?) throws -> CheckpointReceipt {
            try base.append(to: split, key: key, value: value)
        }
        func flush() throws { try base.flush() }
        func read(_ split: Split, from: Int64, through: Int64) throws -> [CheckpointLogRecord] { throw Outage(split: split) }
        func readToEnd(_ split: Split, from: Int64) throws -> [CheckpointLogRecord] { throw Outage(split: split) }
    }
}
