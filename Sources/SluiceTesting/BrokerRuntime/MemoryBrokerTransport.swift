import Sluice

/// A worker's repartition topics on a ``MemoryBroker``: writes go into its producer's open
/// transaction, and the job's source reads them back (aborted ones included, unless the
/// broker's ``MemoryBroker/ReadIsolation`` filters them).
public final class MemoryBrokerTransport: DistributedExchangeTransport, Sendable {
    /// The worker's producer.
    public let producer: MemoryTransactionalProducer
    private let process: WorkerProcess?

    /// A transport writing through `producer`.
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

    /// Appends the records to `topic` in the open transaction.
    public func write(_ records: [ExchangeRecord], to topic: String) throws {
        try process?.checkAlive()
        for record in records {
            try producer.send(topic, partition: record.partition, key: record.key, value: record.value,
                              timestamp: record.timestamp ?? 0, headers: record.headers)
        }
    }

    /// Does nothing: appended records are in the log at once.
    public func flush() throws {
        try process?.checkAlive()
    }
}
