/// A record to produce.
public struct ProducerRecord: Sendable {
    /// Destination topic.
    public var topic: String
    /// Explicit partition, or `nil` to let the partitioner choose (murmur2 of the key with
    /// `partitioner=murmur2_random`, librdkafka's default is consistent_random).
    public var partition: Int32?
    /// Key bytes; `nil` is Kafka's null key.
    public var key: [UInt8]?
    /// Value bytes; `nil` is a tombstone.
    public var value: [UInt8]?
    /// Headers.
    public var headers: [KafkaHeader]
    /// Timestamp in milliseconds since the epoch, or `nil` for the time of sending.
    public var timestamp: Int64?

    /// Creates a record.
    public init(
        topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}
