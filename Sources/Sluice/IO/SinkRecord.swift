/// A record for a byte-oriented sink (Kafka): where it goes and what it carries.
public struct SinkRecord: Sendable, Hashable {
    /// The topic, or `nil` for the sink's configured topic.
    public var topic: String?
    /// The partition, or `nil` to let the sink partition by key.
    public var partition: Int32?
    /// The key bytes, or `nil` for a record without key.
    public var key: [UInt8]?
    /// The payload bytes, or `nil` for a null value: a tombstone, which a compacted topic reads
    /// as the deletion of the key.
    public var value: [UInt8]?
    /// Headers written with the record.
    public var headers: [RecordHeader]
    /// Milliseconds since the Unix epoch, or `nil` for the sink's default.
    public var timestamp: Int64?

    /// A record for the sink's default topic, partitioning and timestamp unless the arguments say
    /// otherwise; `value: nil` writes a tombstone.
    public init(
        topic: String? = nil, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?,
        headers: [RecordHeader] = [], timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}
