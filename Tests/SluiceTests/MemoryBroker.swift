import Foundation
import Sluice
import Synchronization

/// A Kafka-like broker in memory, for engine tests of exactly-once without a real broker:
/// partitioned topics, one transaction at a time, group offsets kept only when their
/// transaction commits, and, like Tansu and librdkafka's mocks, records of aborted transactions
/// still handed to every reader. Faults are injected by failing chosen commits.
final class MemoryBroker: Sendable {
    struct Record: Sendable {
        var offset: Int64
        var key: [UInt8]?
        var value: [UInt8]?
        var timestamp: Int64
        /// The transaction that wrote it; `nil` for plain records.
        var transaction: Int?
    }

    enum Outcome: Sendable { case open, committed, aborted }

    /// When offsets committed in a transaction become visible to the group.
    enum OffsetVisibility: Sendable {
        /// At commit, as Kafka does.
        case immediate
        /// Only after `commits` later commits, as Tansu shows them late while other
        /// transactions are open.
        case lagging(commits: Int)
        /// Never, as librdkafka's mock clusters keep no transactional offsets.
        case never
    }

    private struct State {
        var topics: [String: [[Record]]] = [:]
        var outcomes: [Int: Outcome] = [:]
        var current: Int?
        var nextTransaction = 1
        var groupOffsets: [Split: Int64] = [:]
        var commits = 0
        var failingCommits: Set<Int> = []
        var crashingCommit: Int?
        var visibility: OffsetVisibility = .immediate
        /// Offsets of committed transactions not visible yet, oldest first, with their commit
        /// number.
        var lagging: [(commit: Int, offsets: [Split: Int64])] = []
    }

    private let state = Mutex(State())

    /// An injected failure: the commit aborted instead.
    struct InjectedFailure: Error, CustomStringConvertible {
        var commit: Int
        var description: String { "injected failure of commit #\(commit)" }
    }

    /// An injected crash: the worker's transaction is left to abort and the worker must stop,
    /// as after a SIGKILL; a new worker then recovers from what was committed.
    struct InjectedCrash: ConnectorError, CustomStringConvertible {
        var commit: Int
        var isFatal: Bool { true }
        var description: String { "injected crash at commit #\(commit)" }
    }

    /// - Parameters:
    ///   - failingCommits: commits (numbered from 1 over the broker's life) that abort instead.
    ///   - crashingCommit: the commit at which the worker crashes.
    init(failingCommits: Set<Int> = [], crashingCommit: Int? = nil, visibility: OffsetVisibility = .immediate) {
        state.withLock {
            $0.failingCommits = failingCommits
            $0.crashingCommit = crashingCommit
            $0.visibility = visibility
        }
    }

    func createTopic(_ name: String, partitions: Int) {
        state.withLock { state in
            if state.topics[name] == nil { state.topics[name] = Array(repeating: [], count: partitions) }
        }
    }

    func partitionCount(_ topic: String) -> Int? {
        state.withLock { $0.topics[topic]?.count }
    }

    /// Appends a record, inside the open transaction if there is one; returns its offset.
    @discardableResult
    func append(_ topic: String, partition: Int, key: [UInt8]?, value: [UInt8]?, timestamp: Int64, transactional: Bool) -> Int64 {
        state.withLock { state in
            precondition(state.topics[topic] != nil, "unknown topic \(topic)")
            let offset = Int64(state.topics[topic]![partition].count)
            state.topics[topic]![partition].append(Record(
                offset: offset, key: key, value: value, timestamp: timestamp, transaction: transactional ? state.current : nil))
            return offset
        }
    }

    /// Records of `split` from `offset`, aborted ones included, as an unfiltering broker hands
    /// them out.
    func read(_ split: Split, from offset: Int64, max: Int) -> [Record] {
        state.withLock { state in
            guard let records = state.topics[split.topic]?[Int(split.partition)], offset < records.count else { return [] }
            return Array(records[Int(offset)..<min(records.count, Int(offset) + max)])
        }
    }

    /// What a read_committed consumer sees once no transaction is open: committed and plain
    /// records.
    func committedValues(_ topic: String) -> [[UInt8]] {
        state.withLock { state in
            (state.topics[topic] ?? []).flatMap { $0 }.filter { record in
                record.transaction.map { state.outcomes[$0] == .committed } ?? true
            }.compactMap(\.value)
        }
    }

    func begin() {
        state.withLock { state in
            precondition(state.current == nil, "a transaction is open")
            state.current = state.nextTransaction
            state.outcomes[state.nextTransaction] = .open
            state.nextTransaction += 1
        }
    }

    func commit(offsets: [Split: Int64]) throws {
        try state.withLock { state in
            guard let current = state.current else { preconditionFailure("no transaction is open") }
            state.commits += 1
            if state.crashingCommit == state.commits {
                state.outcomes[current] = .aborted
                state.current = nil
                throw InjectedCrash(commit: state.commits)
            }
            if state.failingCommits.contains(state.commits) {
                state.outcomes[current] = .aborted
                state.current = nil
                throw InjectedFailure(commit: state.commits)
            }
            state.outcomes[current] = .committed
            state.current = nil
            switch state.visibility {
            case .immediate:
                state.groupOffsets.merge(offsets) { $1 }
            case .lagging(let lag):
                state.lagging.append((state.commits, offsets))
                while let first = state.lagging.first, first.commit + lag <= state.commits {
                    state.groupOffsets.merge(first.offsets) { $1 }
                    state.lagging.removeFirst()
                }
            case .never:
                break
            }
        }
    }

    func abort() {
        state.withLock { state in
            if let current = state.current { state.outcomes[current] = .aborted }
            state.current = nil
        }
    }

    func committedOffsets(_ splits: [Split]) -> [Split: Int64] {
        state.withLock { state in state.groupOffsets.filter { splits.contains($0.key) } }
    }

    /// Transactions that aborted, injected or not.
    var abortedTransactions: Int {
        state.withLock { state in state.outcomes.values.filter { $0 == .aborted }.count }
    }
}

/// An exactly-once runtime over a ``MemoryBroker``: one source reading an input topic and the
/// job's internal topics, owning every split; a transactional commit point; the broker as
/// exchange transport and checkpoint log.
final class MemoryBrokerRuntime: JobRuntime, @unchecked Sendable {
    let broker: MemoryBroker
    let source: MemoryBrokerSource

    init(broker: MemoryBroker, input: String) {
        self.broker = broker
        source = MemoryBrokerSource(broker: broker, topic: input)
    }

    var guarantee: DeliveryGuarantee { .exactlyOnce }

    func openWorker(plan: JobPlan) throws -> WorkerServices {
        WorkerServices(
            membership: source, commitPoint: MemoryBrokerCommitPoint(broker: broker),
            exchangeTransport: MemoryBrokerTransport(broker: broker), checkpointLog: MemoryBrokerCheckpointLog(broker: broker),
            workerID: "memory")
    }

    func sink(topic: String) -> MemoryBrokerSink {
        MemoryBrokerSink(broker: broker, topic: topic)
    }
}

final class MemoryBrokerCommitPoint: CommitPoint {
    let broker: MemoryBroker
    init(broker: MemoryBroker) { self.broker = broker }
    func begin() throws { broker.begin() }
    func commit(_ commit: Commit) throws { try broker.commit(offsets: commit.positions) }
    func abort() throws { broker.abort() }
    func committedPositions(for splits: [Split]) throws -> [Split: Int64] { broker.committedOffsets(splits) }
}

final class MemoryBrokerTransport: DistributedExchangeTransport, Sendable {
    let broker: MemoryBroker
    init(broker: MemoryBroker) { self.broker = broker }

    func ensureTopics(_ topics: [InternalTopic]) throws {
        for topic in topics { broker.createTopic(topic.name, partitions: topic.partitionCount) }
    }

    func write(_ records: [ExchangeRecord], to topic: String) throws {
        for record in records {
            broker.append(topic, partition: Int(record.partition), key: record.key, value: record.value,
                          timestamp: record.timestamp ?? 0, transactional: true)
        }
    }

    func flush() throws {}
}

final class MemoryBrokerCheckpointLog: CheckpointLog {
    let broker: MemoryBroker
    init(broker: MemoryBroker) { self.broker = broker }

    func ensureTopics(_ topics: [InternalTopic]) throws {
        for topic in topics { broker.createTopic(topic.name, partitions: topic.partitionCount) }
    }

    func append(to split: Split, key: [UInt8], value: [UInt8]?) throws -> CheckpointReceipt {
        let receipt = CheckpointReceipt()
        receipt.delivered(at: broker.append(split.topic, partition: Int(split.partition), key: key, value: value, timestamp: 0, transactional: true))
        return receipt
    }

    func flush() throws {}

    func read(_ split: Split, from: Int64, through: Int64) throws -> [CheckpointLogRecord] {
        broker.read(split, from: from, max: Int(through - from + 1)).map {
            CheckpointLogRecord(offset: $0.offset, key: $0.key ?? [], value: $0.value)
        }
    }

    func readToEnd(_ split: Split, from: Int64) throws -> [CheckpointLogRecord] {
        broker.read(split, from: from, max: .max / 2).map {
            CheckpointLogRecord(offset: $0.offset, key: $0.key ?? [], value: $0.value)
        }
    }
}

final class MemoryBrokerSink: SharedSink, Sendable {
    let broker: MemoryBroker
    let topic: String
    init(broker: MemoryBroker, topic: String) {
        self.broker = broker
        self.topic = topic
    }

    var name: String { "memory:\(topic)" }

    func write(_ elements: [SinkRecord]) throws {
        for record in elements {
            broker.append(topic, partition: Int(record.partition ?? 0), key: record.key, value: record.value,
                          timestamp: record.timestamp ?? 0, transactional: true)
        }
    }

    func flush() throws {}
}

/// Reads an input topic (bounded: it ends at the input's end) and the job's internal topics,
/// and owns every split, like the single member of a consumer group.
final class MemoryBrokerSource: Source, InternalTopicSource, Membership, @unchecked Sendable {
    typealias Element = SourceRecord

    let broker: MemoryBroker
    let topic: String
    let isBounded = true
    private var internalTopics: [String] = []
    private var positions: [Split: Int64] = [:]
    private var ended: Set<Split> = []

    init(broker: MemoryBroker, topic: String) {
        self.broker = broker
        self.topic = topic
    }

    var name: String { topic }

    func splits() throws -> [Split] {
        (0..<(broker.partitionCount(topic) ?? 0)).map { Split(topic: topic, partition: Int32($0)) }
    }

    func subscribeInternalTopics(_ topics: [String]) { internalTopics = topics }

    private var changes: [MembershipChange] = []

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

    /// Starts each split at its position, else at the group's committed offset, else at 0.
    func assign(_ splits: [SplitStart]) {
        let committed = broker.committedOffsets(splits.map(\.split))
        for start in splits { positions[start.split] = start.position ?? committed[start.split] ?? 0 }
    }

    func seek(_ split: Split, to offset: Int64) {
        positions[split] = offset
        ended.remove(split)
    }

    func revoke(_ splits: [Split]) {
        for split in splits { positions[split] = nil }
    }

    /// A few records of each split per poll, so work spreads over many rounds and checkpoints.
    func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<SourceRecord>) {
        for (split, position) in positions.sorted(by: { $0.key < $1.key }) {
            let records = broker.read(split, from: position, max: 7)
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
