/// A record read from a byte source with its key and value decoded, and everything else the
/// source knew about it: headers, timestamp, topic, partition and offset. Made by
/// ``StreamEnvironment/fromSource(_:keyDeserializer:valueDeserializer:watermarks:)``.
public struct ConsumedRecord<Key, Value> {
    /// The decoded key; a null key went through the key deserializer's
    /// ``Deserializer/deserializeNull()``.
    public var key: Key
    /// The decoded value; a null value (a tombstone) went through the value deserializer's
    /// ``Deserializer/deserializeNull()``.
    public var value: Value
    /// The record's headers, in the order they were written.
    public var headers: [RecordHeader]
    /// Milliseconds since the Unix epoch, as the source delivered it.
    public var timestamp: Int64
    /// The topic the record was read from.
    public var topic: String
    /// The partition of ``topic`` the record was read from.
    public var partition: Int32
    /// The record's own offset in its partition.
    public var offset: Int64

    /// A record with all its parts.
    public init(key: Key, value: Value, headers: [RecordHeader] = [], timestamp: Int64, topic: String, partition: Int32, offset: Int64) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}

extension ConsumedRecord: Sendable where Key: Sendable, Value: Sendable {}
extension ConsumedRecord: Equatable where Key: Equatable, Value: Equatable {}
extension ConsumedRecord: Hashable where Key: Hashable, Value: Hashable {}
extension ConsumedRecord: Encodable where Key: Encodable, Value: Encodable {}
extension ConsumedRecord: Decodable where Key: Decodable, Value: Decodable {}
