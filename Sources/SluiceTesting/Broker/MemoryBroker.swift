import Sluice
import Synchronization

/// A Kafka-like broker in memory, for testing what a job does exactly once without a real
/// broker: partitioned topics, transactional producers, consumer groups with cooperative
/// rebalances, and the faults Kafka can show a worker. NIO ships `EmbeddedChannel`, Kafka
/// Streams `TopologyTestDriver`; this is the broker under ``ExactlyOnceTestDriver``.
///
/// ```swift
/// let broker = MemoryBroker()
/// try broker.createTopic("sentences", partitions: 3)
/// try broker.append("sentences", partition: 0, key: nil, value: Array("a b a".utf8), timestamp: 1_000)
/// let producer = broker.producer(transactionalID: "word-count-worker-0")
/// try producer.begin()
/// try producer.send("word-counts", partition: 0, key: nil, value: Array("a".utf8), timestamp: 1_000)
/// try producer.commit(offsets: [:], group: "word-count")
/// broker.readCommitted("word-counts")   // what a read_committed consumer sees
/// ```
///
/// ## What it keeps honest
///
/// - **Transactions** belong to a transactional id, one open at a time. A new producer with
///   the same id aborts the transaction the old one left open and fences it
///   (``MemoryBrokerError/fenced(transactionalID:)``), as Kafka's epoch bump does.
/// - **Aborted records stay in the log**, and consumers of the job are handed them unless the
///   broker's ``ReadIsolation`` says otherwise: Tansu and librdkafka's mocks do not filter them,
///   so Sluice's exchange must not rely on the broker doing so.
/// - **Group offsets committed in a transaction** become visible when it commits, or late, or
///   never (``OffsetVisibility``), as Kafka, Tansu and the mocks differ; a member the group no
///   longer counts cannot commit offsets (KIP-447, ``MemoryBrokerError/notAGroupMember(group:member:)``).
/// - **Groups** (``group(_:)``) assign the partitions of their members' topics as Kafka's
///   cooperative-sticky assignor does: a split another member owns is revoked first and
///   assigned once that member let it go; a member whose session expired loses its splits at
///   once.
///
/// Faults: ``failCommits(_:)`` makes chosen commits abort, ``crashAtCommit(_:)`` makes a
/// producer's process die during one. Thread-safe: one lock guards everything.
public final class MemoryBroker: Sendable {
    private let state: Mutex<BrokerState>

    /// An empty broker.
    ///
    /// - Parameters:
    ///   - isolation: what the job's consumers are handed (every record by default).
    ///   - offsetVisibility: when transactional offsets become visible (at commit by default).
    public init(isolation: ReadIsolation = .readUncommitted, offsetVisibility: OffsetVisibility = .immediate) {
        state = Mutex(BrokerState(visibility: offsetVisibility, isolation: isolation))
    }

    /// What the job's consumers are handed.
    public var isolation: ReadIsolation {
        withState { $0.isolation }
    }

    @discardableResult
    func withState<T>(_ body: (inout BrokerState) throws -> T) rethrows -> T {
        try state.withLock { try body(&$0) }
    }

    // MARK: Topics

    /// Creates `topic` with `partitions` partitions; does nothing when it exists with that
    /// many, and throws when it exists with another count.
    public func createTopic(_ topic: String, partitions: Int) throws {
        precondition(partitions > 0, "a topic needs at least one partition")
        try withState { state in
            if let existing = state.topics[topic] {
                guard existing.partitions.count == partitions else {
                    throw MemoryBrokerError.partitionCountMismatch(
                        topic: topic, existing: existing.partitions.count, requested: partitions)
                }
                return
            }
            state.topics[topic] = BrokerState.Topic(partitions: Array(repeating: [], count: partitions))
            state.revision += 1
        }
    }

    /// The partition count of `topic`, or `nil` when the broker has no such topic.
    public func partitionCount(_ topic: String) -> Int? {
        withState { $0.topics[topic]?.partitions.count }
    }

    /// Every topic's name, sorted.
    public var topicNames: [String] {
        withState { $0.topics.keys.sorted() }
    }

    /// The offset the next record appended to `split` gets.
    public func endOffset(_ split: Split) -> Int64 {
        withState { Int64($0.topics[split.topic]?.partitions[Int(split.partition)].count ?? 0) }
    }

    /// Appends a record outside any transaction, as a plain producer writes input; returns its
    /// offset.
    @discardableResult
    public func append(_ topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?, timestamp: Int64,
                       headers: [RecordHeader] = []) throws -> Int64 {
        try withState {
            try $0.append(topic, partition: partition, key: key, value: value, headers: headers, timestamp: timestamp, transaction: nil)
        }
    }

    /// Declares that nothing more will be appended to `topic`. Kafka has no such thing: it
    /// stands for the end of a test's input, which sources reading with
    /// ``MemorySourceEnd/whenTopicEnds`` turn into the end of their splits.
    public func endTopic(_ topic: String) throws {
        try withState { state in
            guard state.topics[topic] != nil else { throw MemoryBrokerError.unknownTopic(topic) }
            state.topics[topic]!.ended = true
            state.revision += 1
        }
    }

    /// Whether ``endTopic(_:)`` ended `topic`.
    public func hasEnded(_ topic: String) -> Bool {
        withState { $0.topics[topic]?.ended ?? false }
    }

    // MARK: Reading

    /// Up to `max` records of `split` from `offset`, every one of them, those of open and
    /// aborted transactions included: the log as it is.
    public func records(_ split: Split, from offset: Int64 = 0, max: Int = .max) -> [MemoryRecord] {
        withState { $0.fetch(split, from: offset, max: max, isolation: .readUncommitted).records }
    }

    /// Up to `max` records of `split` from `offset` as the job's consumers are handed them
    /// (``isolation``), and the offset to fetch from next.
    public func fetch(_ split: Split, from offset: Int64, max: Int) -> (records: [MemoryRecord], next: Int64) {
        withState { $0.fetch(split, from: offset, max: max, isolation: $0.isolation) }
    }

    /// The records of `topic` a read_committed consumer reads, partition by partition: up to
    /// each partition's last stable offset, without those of aborted transactions.
    public func readCommitted(_ topic: String) -> [MemoryRecord] {
        (0..<(partitionCount(topic) ?? 0)).flatMap { readCommitted(Split(topic: topic, partition: Int32($0))) }
    }

    /// The records of `split` a read_committed consumer reads: up to its last stable offset,
    /// without those of aborted transactions.
    public func readCommitted(_ split: Split) -> [MemoryRecord] {
        withState { $0.fetch(split, from: 0, max: .max, isolation: .readCommitted).records }
    }

    /// The values ``readCommitted(_:)-(String)`` reads, tombstones left out.
    public func committedValues(_ topic: String) -> [[UInt8]] {
        readCommitted(topic).compactMap(\.value)
    }

    /// What became of transaction `transaction` (``MemoryRecord/transaction``).
    public func outcome(ofTransaction transaction: Int) -> TransactionOutcome? {
        withState { $0.outcomes[transaction] }
    }

    /// Transactions that aborted, injected or not.
    public var abortedTransactions: Int {
        withState { state in state.outcomes.values.filter { $0 == .aborted }.count }
    }

    /// Grows with every change a client could observe (records, transaction outcomes, offsets,
    /// group changes): equal values mean nothing moved in between.
    public var revision: Int {
        withState { $0.revision }
    }

    // MARK: Clients

    /// A transactional producer with id `transactionalID`; any older producer of that id is
    /// fenced, and the transaction it left open aborts.
    public func producer(transactionalID: String) -> MemoryTransactionalProducer {
        MemoryTransactionalProducer(broker: self, transactionalID: transactionalID)
    }

    /// The consumer group `id`, created when first used (as Kafka's groups are).
    public func group(_ id: String) -> MemoryConsumerGroup {
        MemoryConsumerGroup(broker: self, id: id)
    }
}
