import Sluice

/// An input topic of an ``ExactlyOnceTestDriver``: every pipe appends records to the broker
/// topic, outside any transaction, as the job's upstream producer would. Nothing runs until the
/// test runs rounds.
public final class BrokerInputTopic<Value> {
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

    /// Appends one record.
    ///
    /// - Parameters:
    ///   - value: the value, serialized with the topic's serializer.
    ///   - key: the key as UTF-8 text; keyed records go to the key's murmur2 partition.
    ///   - timestamp: event time in milliseconds; the driver's processing time by default.
    ///   - headers: the record's headers.
    ///   - partition: the partition, overriding the key's.
    public func pipe(value: Value, key: String? = nil, timestamp: Int64? = nil, headers: [RecordHeader] = [],
                     partition: Int32? = nil) throws {
        try pipe([TestRecord(value: value, key: key, timestamp: timestamp, headers: headers, partition: partition)])
    }

    /// Appends values without key, each at `timestamp` (the processing time by default), round
    /// robin over the partitions.
    public func pipe(values: [Value], timestamp: Int64? = nil) throws {
        try pipe(values.map { TestRecord(value: $0, key: nil as [UInt8]?, timestamp: timestamp) })
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
            let bytes: [UInt8]?
            do {
                bytes = try serializer.serialize(nullable: record.value)
            } catch {
                throw TestDriverError.unserializableInput(topic: name, error: "\(error)")
            }
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
