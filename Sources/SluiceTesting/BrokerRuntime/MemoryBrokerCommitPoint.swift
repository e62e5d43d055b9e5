import Sluice

/// The commit point of a worker on a ``MemoryBroker``: its transactional producer's
/// transactions, committing the job's positions and checkpoint pointers as the offsets of its
/// consumer group, as a Kafka worker's `send_offsets_to_transaction` does.
public final class MemoryBrokerCommitPoint: CommitPoint {
    /// The worker's producer.
    public let producer: MemoryTransactionalProducer
    /// The job's group.
    public let group: MemoryConsumerGroup
    /// The worker's member id, which the group checks at every commit of offsets; `nil` for
    /// memberships outside the group.
    public let member: String?
    private let process: WorkerProcess?
    private let crashed: (@Sendable () -> Void)?

    /// A commit point over `producer`'s transactions, committing offsets for `group` as
    /// `member`.
    public convenience init(producer: MemoryTransactionalProducer, group: MemoryConsumerGroup, member: String? = nil) {
        self.init(producer: producer, group: group, member: member, process: nil, crashed: nil)
    }

    init(producer: MemoryTransactionalProducer, group: MemoryConsumerGroup, member: String?, process: WorkerProcess?,
         crashed: (@Sendable () -> Void)?) {
        self.producer = producer
        self.group = group
        self.member = member
        self.process = process
        self.crashed = crashed
    }

    /// Begins the producer's next transaction.
    public func begin() throws {
        try process?.checkAlive()
        try producer.begin()
    }

    /// Commits the transaction with the commit's positions as the group's offsets. An injected
    /// crash takes the worker's process with it.
    public func commit(_ commit: Commit) throws {
        try process?.checkAlive()
        do {
            try producer.commit(offsets: commit.positions, group: group.id, member: member)
        } catch let crash as MemoryBroker.InjectedCrash {
            crashed?()
            throw crash
        }
    }

    /// Aborts the open transaction; a crashed worker's was aborted by the broker already.
    public func abort() throws {
        guard process?.hasCrashed != true else { return }
        try producer.abort()
    }

    /// The group's committed offsets.
    public func committedPositions(for splits: [Split]) throws -> [Split: Int64] {
        try process?.checkAlive()
        return group.committedOffsets(for: splits)
    }
}
