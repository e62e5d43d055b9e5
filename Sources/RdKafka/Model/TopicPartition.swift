/// A partition of a topic.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number, from 0.
    public var partition: Int32

    /// Creates a topic-partition pair.
    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic[partition]`.
    public var description: String { "\(topic)[\(partition)]" }

    /// Orders by topic, then partition.
    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// A partition with an offset and, where the broker keeps it, commit metadata.
public struct TopicPartitionOffset: Hashable, Sendable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number.
    public var partition: Int32
    /// The offset; see ``KafkaOffset`` for the logical values.
    public var offset: Int64
    /// Commit metadata. Some brokers (Tansu) return it empty.
    public var metadata: [UInt8]?

    /// Creates a partition with an offset.
    public init(_ topic: String, _ partition: Int32, offset: Int64, metadata: [UInt8]? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.metadata = metadata
    }

    /// The partition without its offset.
    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }

    /// `topic[partition]@offset`.
    public var description: String { "\(topic)[\(partition)]@\(offset)" }
}

/// librdkafka's logical offsets.
public enum KafkaOffset {
    /// The oldest retained record.
    public static let beginning: Int64 = -2
    /// The next record to be written.
    public static let end: Int64 = -1
    /// The group's committed offset.
    public static let stored: Int64 = -1000
    /// No offset (for example nothing committed).
    public static let invalid: Int64 = -1001
}

/// The low and high watermarks of a partition: the first retained offset and the next offset
/// to be written.
public struct Watermarks: Hashable, Sendable {
    /// The first retained offset.
    public var low: Int64
    /// The next offset to be written.
    public var high: Int64
    /// Creates watermarks.
    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }
}
