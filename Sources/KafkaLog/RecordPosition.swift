/// Where a record is: partition and offset.
public struct RecordPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The partition.
    public var partition: Int32
    /// The offset in the partition.
    public var offset: Int64

    /// A position from its parts.
    public init(partition: Int32, offset: Int64) {
        self.partition = partition
        self.offset = offset
    }

    public static func < (left: Self, right: Self) -> Bool {
        (left.partition, left.offset) < (right.partition, right.offset)
    }

    /// `partition@offset`.
    public var description: String { "\(partition)@\(offset)" }
}
