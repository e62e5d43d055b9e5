import Sluice

/// A transactional producer of a ``MemoryBroker``: one transaction open at a time, its records
/// visible to read_committed consumers and its group offsets to the group only when it commits.
///
/// Made by ``MemoryBroker/producer(transactionalID:)``, which fences every older producer of the
/// same id: their calls throw ``MemoryBrokerError/fenced(transactionalID:)`` and the transaction
/// they left open aborts, as Kafka's `InitProducerId` does for a restarted worker.
public final class MemoryTransactionalProducer: Sendable {
    /// The broker.
    public let broker: MemoryBroker
    /// The transactional id.
    public let transactionalID: String
    private let epoch: Int

    init(broker: MemoryBroker, transactionalID: String) {
        self.broker = broker
        self.transactionalID = transactionalID
        epoch = broker.withState { $0.initProducer(transactionalID) }
    }

    /// Begins a transaction.
    public func begin() throws {
        try broker.withState { try $0.begin(transactionalID, epoch: epoch) }
    }

    /// Appends a record to `partition` of `topic` in the open transaction; returns its offset.
    @discardableResult
    public func send(_ topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?, timestamp: Int64,
                     headers: [RecordHeader] = []) throws -> Int64 {
        try broker.withState { state in
            let transaction = try state.openTransaction(transactionalID, epoch: epoch)
            return try state.append(topic, partition: partition, key: key, value: value, headers: headers,
                                    timestamp: timestamp, transaction: transaction)
        }
    }

    /// Commits the open transaction and, with it, `offsets` for the consumer group `group`.
    /// With `member`, the group refuses the offsets of a member it no longer counts (KIP-447)
    /// and the transaction aborts. Injected faults (``MemoryBroker/failCommits(_:)``,
    /// ``MemoryBroker/crashAtCommit(_:)``) abort it too.
    public func commit(offsets: [Split: Int64], group: String?, member: String? = nil) throws {
        try broker.withState { try $0.commit(transactionalID, epoch: epoch, offsets: offsets, group: group, member: member) }
    }

    /// Aborts the open transaction, if any.
    public func abort() throws {
        try broker.withState { try $0.abort(transactionalID, epoch: epoch) }
    }

    /// The producer's process died: the broker aborts its open transaction (as its transaction
    /// timeout would) and nothing this instance does counts any more.
    public func abandon() {
        broker.withState { state in
            guard (try? state.checkEpoch(transactionalID, epoch)) != nil else { return }
            state.abandon(transactionalID)
        }
    }
}
