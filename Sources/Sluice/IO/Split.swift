/// One independently ordered slice of a source: a Kafka topic partition, or a partition of an
/// in-memory collection or generator.
///
/// Order is guaranteed only inside a split, so the runtime gives each split its own task and
/// its own watermark, and tracks a committed position per split.
public struct Split: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The topic, or for in-process sources the source's name.
    public var topic: String
    /// The partition number inside `topic`.
    public var partition: Int32

    /// Partition `partition` of `topic`.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// Orders by topic, then partition.
    public static func < (lhs: Split, rhs: Split) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    /// `topic[partition]`, as plans and messages show it.
    public var description: String { "\(topic)[\(partition)]" }
}
