import Sluice

/// A record to pipe into an input topic: a value, and optionally its key, timestamp, headers
/// and partition.
public struct TestRecord<Value> {
    /// The value, serialized with the topic's serializer.
    public var value: Value
    /// The key bytes; a keyed record goes to the partition murmur2 picks, as Kafka's default
    /// partitioner does.
    public var key: [UInt8]?
    /// The record timestamp in milliseconds (event time unless the job assigns its own), or
    /// `nil` for the driver's current processing time, as a producer stamps its records.
    public var timestamp: Int64?
    /// The record's headers.
    public var headers: [RecordHeader]
    /// The partition, or `nil` to pick it from the key (round robin for records without key).
    public var partition: Int32?

    /// A record with raw key bytes.
    public init(value: Value, key: [UInt8]? = nil, timestamp: Int64? = nil, headers: [RecordHeader] = [], partition: Int32? = nil) {
        self.value = value
        self.key = key
        self.timestamp = timestamp
        self.headers = headers
        self.partition = partition
    }

    /// A record whose key is the UTF-8 bytes of `key`.
    public init(value: Value, key: String?, timestamp: Int64? = nil, headers: [RecordHeader] = [], partition: Int32? = nil) {
        self.init(value: value, key: key.map { Array($0.utf8) }, timestamp: timestamp, headers: headers, partition: partition)
    }
}

/// A record the job wrote to an output topic, with its value decoded.
public struct TestOutputRecord<Value> {
    /// The decoded value.
    public var value: Value
    /// The key bytes the job wrote, if any.
    public var key: [UInt8]?
    /// The headers the job wrote.
    public var headers: [RecordHeader]
    /// The timestamp the job set, or `nil` when it left it to the sink.
    public var timestamp: Int64?
    /// The partition the job chose, or `nil` when it left it to the sink.
    public var partition: Int32?

    /// The key as UTF-8 text, or `nil` without key or when it is not valid UTF-8.
    public var keyString: String? {
        key.flatMap { String(validating: $0, as: UTF8.self) }
    }
}

extension TestOutputRecord: Equatable where Value: Equatable {}
extension TestOutputRecord: Hashable where Value: Hashable {}
extension TestOutputRecord: Sendable where Value: Sendable {}
extension TestRecord: Sendable where Value: Sendable {}
