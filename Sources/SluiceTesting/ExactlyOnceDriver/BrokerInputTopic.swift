import Sluice

/// An input topic of an ``ExactlyOnceTestDriver``: every pipe appends records to the broker
/// topic, outside any transaction, as the job's upstream producer would. Nothing runs until the
/// test runs rounds.
public final class BrokerInputTopic<Value>: TestRecordPipe {
    /// The topic's name.
    public let name: String
    /// The number of partitions.
    public let partitions: Int
    private let broker: MemoryBroker
    private let serializer: any Serializer<Value>
    private let processingTime: () -> Int64
    private var nextPartition: Int32 = 0

    init(name: String, partitions: Int, broker: MemoryBroker, serializer: any Serializer<Value>,
         processingTime: @escaping () -> Int64) {
        self.name = name
        self.partitions = partitions
        self.broker = broker
        self.serializer = serializer
        self.processingTime = processingTime
    }

    /// Appends the records in order: each to its own partition, its key's murmur2 partition, or
    /// the next partition round robin.
    public func pipe(_ records: [TestRecord<Value>]) throws {
        for record in records {
            if let partition = record.partition, !(0..<partitions).contains(Int(partition)) {
                throw TestDriverError.noSuchPartition(topic: name, partition: partition, partitions: partitions)
            }
        }
        for record in records {
            let bytes = try serialized(record, with: serializer)
            let partition: Int32
            if let explicit = record.partition {
                partition = explicit
            } else if let key = record.key {
                partition = Int32(Murmur2.partition(key: key, partitionCount: partitions))
            } else {
                partition = nextPartition
                nextPartition = (nextPartition + 1) % Int32(partitions)
            }
            try broker.append(name, partition: partition, key: record.key, value: bytes, timestamp: record.timestamp ?? processingTime(),
                              headers: record.headers)
        }
    }

    /// Ends the topic: once the job read each partition to its end, the partition ends as a
    /// bounded input's does, and its final watermark fires every pending window and event-time
    /// timer behind it. Nothing can be piped afterwards.
    public func end() throws {
        try broker.endTopic(name)
    }
}
