/// A consumed record, copied out of librdkafka's buffers.
public struct ConsumerRecord: Sendable, Hashable {
    /// The topic.
    public var topic: String
    /// The partition.
    public var partition: Int32
    /// The offset within the partition.
    public var offset: Int64
    /// Timestamp in milliseconds since the epoch, or `nil` when the broker gave none.
    public var timestamp: Int64?
    /// Key bytes; `nil` is a null key.
    public var key: [UInt8]?
    /// Value bytes; `nil` is a tombstone.
    public var value: [UInt8]?
    /// Headers in order.
    public var headers: [KafkaHeader]

    /// Creates a record.
    public init(
        topic: String, partition: Int32, offset: Int64, timestamp: Int64? = nil,
        key: [UInt8]? = nil, value: [UInt8]?, headers: [KafkaHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }
}
