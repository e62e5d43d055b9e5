import Sluice

/// An input topic a test pipes ``TestRecord``s into: a ``TestInputTopic`` of a ``TestDriver``,
/// or a ``BrokerInputTopic`` of an ``ExactlyOnceTestDriver``. What follows a pipe is each
/// topic's own: the first processes the records at once, the second leaves them to the rounds.
public protocol TestRecordPipe {
    /// The type of the values piped in.
    associatedtype Value
    /// The topic's name.
    var name: String { get }
    /// Pipes the records in order.
    func pipe(_ records: [TestRecord<Value>]) throws
}

extension TestRecordPipe {
    /// Pipes one record, as ``pipe(_:)`` does.
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

    /// Pipes values without key, each at `timestamp` (the processing time by default), round
    /// robin over the partitions, as ``pipe(_:)`` does.
    public func pipe(values: [Value], timestamp: Int64? = nil) throws {
        try pipe(values.map { TestRecord(value: $0, key: nil as [UInt8]?, timestamp: timestamp) })
    }

    /// The bytes of `record`'s value, or the error naming this topic.
    func serialized(_ record: TestRecord<Value>, with serializer: any Serializer<Value>) throws -> [UInt8]? {
        do {
            return try serializer.serialize(nullable: record.value)
        } catch {
            throw TestDriverError.unserializableInput(topic: name, error: "\(error)")
        }
    }
}
