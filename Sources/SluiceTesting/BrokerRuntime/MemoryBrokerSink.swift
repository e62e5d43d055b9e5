import Sluice

/// Writes `SinkRecord`s to a ``MemoryBroker`` topic inside the worker's transaction, as a Kafka
/// sink writes through the worker's transactional producer: a read_committed reader
/// (``MemoryBroker/readCommitted(_:)-(String)``) sees each result once the checkpoint that covers it
/// committed. Make it with ``MemoryBrokerRuntime/sink(topic:)``.
///
/// A record goes to its own partition, else to its key's murmur2 partition (as Kafka's default
/// partitioner), else to partition 0. Thread-safe: tasks write concurrently.
public final class MemoryBrokerSink: SharedSink, Sendable {
    /// Kafka-like records.
    public typealias Element = SinkRecord

    /// The topic of records whose `SinkRecord.topic` is `nil`.
    public let topic: String?
    private let producer: @Sendable () throws -> MemoryTransactionalProducer

    /// A sink writing through `producer` (a runtime's sink finds its worker's producer itself).
    public convenience init(topic: String?, producer: MemoryTransactionalProducer) {
        self.init(topic: topic) { producer }
    }

    init(topic: String?, producer: @escaping @Sendable () throws -> MemoryTransactionalProducer) {
        self.topic = topic
        self.producer = producer
    }

    /// `memory:<topic>`.
    public var name: String { "memory:\(topic ?? "<per-record topic>")" }

    /// Appends the records in the worker's open transaction.
    public func write(_ elements: [SinkRecord]) throws {
        let producer = try producer()
        for (index, record) in elements.enumerated() {
            guard let topic = record.topic ?? topic else {
                throw RecordRejected(index: index, underlying: MemoryBrokerError.recordWithoutTopic)
            }
            guard let partitions = producer.broker.partitionCount(topic) else { throw MemoryBrokerError.unknownTopic(topic) }
            let partition = record.partition ?? record.key.map { Int32(Murmur2.partition(key: $0, partitionCount: partitions)) } ?? 0
            try producer.send(topic, partition: partition, key: record.key, value: record.value,
                              timestamp: record.timestamp ?? 0, headers: record.headers)
        }
    }

    /// Does nothing: appended records are in the log at once.
    public func flush() throws {}
}
