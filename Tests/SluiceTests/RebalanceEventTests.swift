import Foundation
import SluiceTesting
import Synchronization
import XCTest
@testable import Sluice

/// ``RebalanceEvent``s of an exactly-once keyed window job over the in-memory broker, whose
/// membership revokes, gives back and loses splits at chosen polls: each event names its
/// splits, counts the restores the checkpoint observer saw while it was handled, says whether
/// the revoke committed, and its pause covers that work (a checkpoint log that answers every
/// read 20 ms late makes restores slow); ``JobMetrics`` adds them up; and the committed output
/// still holds every window result exactly once. No broker: the in-memory membership stands for
/// a consumer group's callbacks (the Kafka ones: ``RescaleTests``).
final class RebalanceEventTests: XCTestCase {
    static let readDelay: Duration = .milliseconds(20)

    /// What the observers saw, in order, on the driver thread.
    enum Seen {
        case rebalance(RebalanceEvent)
        case restored(RestoreReport)
        case committed
    }

    func testEventsNameSplitsRestoresCommitsAndPauses() throws {
        let broker = MemoryBroker()
        let expected = try ExactlyOnceEngineTests.fill(broker, topic: "purchases", count: 2_000, seed: 7)
        try broker.createTopic("totals", partitions: 1)
        let input0 = Split(topic: "purchases", partition: 0), input1 = Split(topic: "purchases", partition: 1)
        let input2 = Split(topic: "purchases", partition: 2)
        let moved = [Split(topic: "rebalancing-1-repartition", partition: 2), input0]
        let source = ScriptedMembershipSource(broker: broker, topic: "purchases", script: [
            // A first hand-over commits the first checkpoint, so the keyed tasks apply records and
            // have window state by the second.
            5: .revoke([input2]), 8: .assign([input2]),
            12: .revoke(moved), 15: .assign(moved),
            20: .lose([input1]),
            // The upstream task of every repartition partition must come back to end the run.
            25: .assign([input1]),
        ])
        let seen = Mutex<[Seen]>([])
        var configuration = JobConfiguration()
        // Only the revoke and the end checkpoint: what a revoke commits is its own doing.
        configuration.checkpointInterval = .seconds(3_600)
        configuration.threads = 1
        configuration.checkpointObserver = { event in
            switch event {
            case .restored(let report): seen.withLock { $0.append(.restored(report)) }
            case .committed: seen.withLock { $0.append(.committed) }
            default: break
            }
        }
        configuration.rebalanceObserver = { event in seen.withLock { $0.append(.rebalance(event)) } }
        let runtime = ScriptedRuntime(broker: broker, source: source, readDelay: Self.readDelay)
        let env = StreamEnvironment(jobName: "rebalancing", runtime: runtime, configuration: configuration)
        env.fromSource(source, deserializer: JSONCodec<ExactlyOnceEngineTests.Purchase>())
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(.milliseconds(ExactlyOnceEngineTests.windowMillis)))
            .aggregate(ExactlyOnceEngineTests.SumPurchases()) { user, window, totals in "\(user)\t\(window.start)\t\(totals.count)\t\(totals.sum)" }
            .sink(to: MemoryBrokerSink(topic: "totals", producer: runtime.producer)) { line in SinkRecord(value: Array(line.utf8)) }
        let metrics = try env.execute()

        let log = seen.withLock { $0 }
        let events = log.compactMap { if case .rebalance(let event) = $0 { event } else { nil } }
        XCTAssertEqual(events.map(\.number), Array(1...events.count), "numbered 1, 2, 3, … in order")
        XCTAssertEqual(events.map(\.change), [.assigned, .revoked, .assigned, .revoked, .assigned, .lost, .assigned, .revoked],
                       "the script's changes, in order, then the hand-over of every split when the bounded run ends")
        guard events.count == 8 else { return }
        let all = try source.splits() + (0..<ExactlyOnceEngineTests.partitions).map {
            Split(topic: "rebalancing-1-repartition", partition: Int32($0))
        }
        // What happened between the previous event and each one, as the checkpoint observer saw it.
        var restoresBefore: [[RestoreReport]] = []
        var commitsBefore: [Int] = []
        var restores: [RestoreReport] = [], commits = 0
        for entry in log {
            switch entry {
            case .restored(let report): restores.append(report)
            case .committed: commits += 1
            case .rebalance:
                restoresBefore.append(restores)
                commitsBefore.append(commits)
                restores = []
                commits = 0
            }
        }
        for (index, event) in events.enumerated() {
            XCTAssertEqual(event.tasksRestored, restoresBefore[index].count, "#\(event.number): restores as the checkpoint observer saw")
            XCTAssertEqual(event.bytesRestored, restoresBefore[index].reduce(0) { $0 + $1.bytes }, "#\(event.number): bytes restored")
            XCTAssertEqual(event.committed, commitsBefore[index] > 0, "#\(event.number): committed as the checkpoint observer saw")
            XCTAssertGreaterThanOrEqual(event.pause, restoresBefore[index].reduce(.zero) { $0 + $1.duration },
                                        "#\(event.number): the pause covers the restores")
        }

        // 1: joining, before the pipeline exists: every split, nothing restored yet.
        XCTAssertEqual(events[0].splits, all.sorted())
        XCTAssertEqual(events[0].tasksRestored, 0)
        XCTAssertEqual(events[0].ownedSplits, all.count)
        XCTAssertEqual(events[1].splits, [input2])
        XCTAssertEqual(events[2].splits, [input2])
        XCTAssertEqual(events[2].tasksRestored, 1)
        for revoke in [events[1], events[3]] {
            // An orderly revoke checkpoints before letting go (no interval checkpoint happens here).
            XCTAssertTrue(revoke.committed, "#\(revoke.number): a revoke with work since the last checkpoint commits it")
            XCTAssertEqual(revoke.tasksRestored, 0)
        }
        XCTAssertEqual(events[1].ownedSplits, all.count - 1)
        XCTAssertEqual(events[3].splits, moved.sorted())
        XCTAssertEqual(events[3].ownedSplits, all.count - moved.count)
        for assign in [events[2], events[4]] {
            // Given back: the tasks restored from the revoke's checkpoint, through the slow log.
            XCTAssertFalse(assign.committed)
            XCTAssertEqual(assign.ownedSplits, all.count)
            XCTAssertGreaterThanOrEqual(assign.pause, Self.readDelay * assign.splits.count, "#\(assign.number): at least one slow read per restore")
        }
        XCTAssertEqual(events[4].splits, moved.sorted())
        XCTAssertEqual(events[4].tasksRestored, moved.count, "each moved task had a committed checkpoint")
        XCTAssertGreaterThan(events[4].bytesRestored, 0, "the keyed task's window state came back")
        // A loss aborts and rewinds every other task to its last committed checkpoint.
        XCTAssertEqual(events[5].splits, [input1])
        XCTAssertFalse(events[5].committed)
        XCTAssertEqual(events[5].tasksRestored, all.count - 1, "every task left was rewound from its checkpoint")
        XCTAssertGreaterThanOrEqual(events[5].pause, Self.readDelay * (all.count - 1))
        XCTAssertEqual(events[5].ownedSplits, all.count - 1)
        // The lost split back, restored from the checkpoint it had before the loss.
        XCTAssertEqual(events[6].splits, [input1])
        XCTAssertEqual(events[6].tasksRestored, 1)
        XCTAssertEqual(events[6].ownedSplits, all.count)
        // The end: the final checkpoint, then every split let go.
        XCTAssertEqual(events[7].splits, all.sorted())
        XCTAssertTrue(events[7].committed, "the final checkpoint commits the end of the input")
        XCTAssertEqual(events[7].ownedSplits, 0)

        let lines = broker.committedValues("totals").map { String(decoding: $0, as: UTF8.self) }.sorted()
        XCTAssertEqual(lines, expected, "every result exactly once through the moves")
        XCTAssertEqual(metrics.rebalances, events.count)
        XCTAssertEqual(metrics.rebalancePause, events.reduce(.zero) { $0 + $1.pause })
        print("""
            [\(name)] pauses: \(events.map { "#\($0.number) \($0.change) \($0.splits.count) splits \($0.pause)" }.joined(separator: ", "))
            """)
    }
}

/// An exactly-once runtime over a ``MemoryBroker`` whose membership is a
/// ``ScriptedMembershipSource`` and whose checkpoint log answers every read `readDelay` late.
final class ScriptedRuntime: JobRuntime, @unchecked Sendable {
    let broker: MemoryBroker
    let source: ScriptedMembershipSource
    let readDelay: Duration
    /// The worker's producer, which its sink writes through too.
    let producer: MemoryTransactionalProducer

    init(broker: MemoryBroker, source: ScriptedMembershipSource, readDelay: Duration) {
        self.broker = broker
        self.source = source
        self.readDelay = readDelay
        producer = broker.producer(transactionalID: "rebalancing-scripted")
    }

    var guarantee: DeliveryGuarantee { .exactlyOnce }

    func openWorker(plan: JobPlan) throws -> WorkerServices {
        WorkerServices(
            membership: source, commitPoint: MemoryBrokerCommitPoint(producer: producer, group: broker.group(plan.jobName)),
            exchangeTransport: MemoryBrokerTransport(producer: producer),
            checkpointLog: SlowCheckpointLog(base: MemoryBrokerCheckpointLog(producer: producer), delay: readDelay), workerID: "scripted")
    }
}

/// A checkpoint log that answers every read `delay` late, like a broker round trip.
final class SlowCheckpointLog: CheckpointLog {
    let base: MemoryBrokerCheckpointLog
    let delay: Duration

    init(base: MemoryBrokerCheckpointLog, delay: Duration) {
        self.base = base
        self.delay = delay
    }

    func ensureTopics(_ topics: [InternalTopic]) throws { try base.ensureTopics(topics) }
    func append(to split: Split, key: [UInt8], value: [UInt8]?) throws -> CheckpointReceipt {
        try base.append(to: split, key: key, value: value)
    }
    func flush() throws { try base.flush() }
    func read(_ split: Split, from: Int64, through: Int64) throws -> [CheckpointLogRecord] {
        Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) / 1e18 + Double(delay.components.seconds))
        return try base.read(split, from: from, through: through)
    }
    func readToEnd(_ split: Split, from: Int64) throws -> [CheckpointLogRecord] {
        Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) / 1e18 + Double(delay.components.seconds))
        return try base.readToEnd(split, from: from)
    }
}

/// Reads an input topic (bounded) and the job's internal topics from a ``MemoryBroker``, and is
/// its own membership: it owns every split from the join, then at the polls its script names
/// records a revoke, an assignment or a loss, as a consumer group's callbacks record them inside
/// a poll, and reads the splits it still reads in the same poll. Assigned splits start where the
/// runtime says, else at the group's committed offset.
final class ScriptedMembershipSource: Source, InternalTopicSource, Membership, @unchecked Sendable {
    typealias Element = SourceRecord

    enum Step {
        case revoke([Split])
        case assign([Split])
        case lose([Split])
    }

    let broker: MemoryBroker
    let topic: String
    let isBounded = true
    private let script: [Int: Step]
    private var changes: [MembershipChange] = []
    private var internalTopics: [String] = []
    private var positions: [Split: Int64] = [:]
    private var ended: Set<Split> = []
    private var polls = 0

    init(broker: MemoryBroker, topic: String, script: [Int: Step]) {
        self.broker = broker
        self.topic = topic
        self.script = script
    }

    var name: String { topic }

    func splits() throws -> [Split] {
        (0..<(broker.partitionCount(topic) ?? 0)).map { Split(topic: topic, partition: Int32($0)) }
    }

    func subscribeInternalTopics(_ topics: [String]) { internalTopics = topics }

    func join(available: [Split]) throws {
        let internalSplits = internalTopics.flatMap { topic in
            (0..<(broker.partitionCount(topic) ?? 0)).map { Split(topic: topic, partition: Int32($0)) }
        }
        changes.append(.assigned(available + internalSplits))
    }

    func takeChanges() -> [MembershipChange] {
        defer { changes = [] }
        return changes
    }

    func leave() {}

    func assign(_ splits: [SplitStart]) {
        let committed = broker.group("rebalancing").committedOffsets(for: splits.map(\.split))
        for start in splits {
            positions[start.split] = start.position ?? committed[start.split] ?? 0
            ended.remove(start.split)
        }
    }

    func seek(_ split: Split, to offset: Int64) {
        guard positions[split] != nil else { return }
        positions[split] = offset
        ended.remove(split)
    }

    func revoke(_ splits: [Split]) {
        for split in splits { positions[split] = nil }
    }

    /// Records the script's step for this poll, then reads a few records of each split it reads.
    func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<SourceRecord>) throws {
        polls += 1
        switch script[polls] {
        case .revoke(let splits): changes.append(.revoked(splits))
        case .assign(let splits): changes.append(.assigned(splits))
        case .lose(let splits): changes.append(.lost(splits))
        case nil: break
        }
        // Like a consumer's batch that goes on after a rebalance callback, the same poll reads
        // the splits the change takes away: they are this worker's until it lets them go.
        for (split, position) in positions.sorted(by: { $0.key < $1.key }) {
            let records = broker.records(split, from: position, max: split.topic == topic ? 7 : 1_000)
            for record in records {
                batch.append(
                    SourceRecord(topic: split.topic, partition: split.partition, offset: record.offset,
                                 timestamp: record.timestamp, key: record.key, value: record.value ?? []),
                    split: split, offset: record.offset, timestamp: record.timestamp)
            }
            positions[split] = position + Int64(records.count)
            if split.topic == topic, records.isEmpty, !ended.contains(split) {
                ended.insert(split)
                batch.markEnded(split)
            }
        }
    }
}
