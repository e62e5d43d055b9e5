import Sluice

/// A worker's checkpoint topics on a ``MemoryBroker``: appends go into its producer's open
/// transaction; reads return every record at the offsets asked for, those of open and aborted
/// transactions included, so restores prove they follow only what committed transactions name.
public final class MemoryBrokerCheckpointLog: CheckpointLog {
    /// The worker's producer.
    public let producer: MemoryTransactionalProducer
    private let process: WorkerProcess?

    /// A checkpoint log writing through `producer`.
    public convenience init(producer: MemoryTransactionalProducer) {
        self.init(producer: producer, process: nil)
    }

    init(producer: MemoryTransactionalProducer, process: WorkerProcess?) {
        self.producer = producer
        self.process = process
    }

    /// Creates the topics that are missing; one with another partition count is an error.
    public func ensureTopics(_ topics: [InternalTopic]) throws {
        try process?.checkAlive()
        for topic in topics { try producer.broker.createTopic(topic.name, partitions: topic.partitionCount) }
    }

    /// Appends the record in the open transaction; its offset is known at once.
    public func append(to split: Split, key: [UInt8], value: [UInt8]?) throws -> CheckpointReceipt {
        try process?.checkAlive()
        let receipt = CheckpointReceipt()
        receipt.delivered(at: try producer.send(split.topic, partition: split.partition, key: key, value: value, timestamp: 0))
        return receipt
    }

    /// Does nothing: appended records are in the log at once.
    public func flush() throws {
        try process?.checkAlive()
    }

    /// The records at offsets `from...through`.
    public func read(_ split: Split, from: Int64, through: Int64) throws -> [CheckpointLogRecord] {
        try process?.checkAlive()
        try producer.broker.checkReachable(split)
        return producer.broker.records(split, from: from, max: Int(through - from + 1)).map {
            CheckpointLogRecord(offset: $0.offset, key: $0.key ?? [], value: $0.value)
        }
    }

    /// The records from `from` to the partition's end.
    public func readToEnd(_ split: Split, from: Int64) throws -> [CheckpointLogRecord] {
        try process?.checkAlive()
        try producer.broker.checkReachable(split)
        return producer.broker.records(split, from: from).map {
            CheckpointLogRecord(offset: $0.offset, key: $0.key ?? [], value: $0.value)
        }
    }
}
