/// One change of a consumer group member's assignment, recorded by a consumer that defers its
/// rebalances (``KafkaConsumer/init(configuration:deferringRebalances:logger:)``) for the
/// application to complete between two polls.
public struct RebalanceChange: Sendable, Equatable {
    /// What the group did.
    public enum Kind: Sendable, Equatable {
        /// The partitions were added to this member; nothing is fetched from them until
        /// ``KafkaConsumer/completeAssignment(_:)``.
        case assigned
        /// The partitions are being taken away in an orderly rebalance; the group hands them on
        /// once ``KafkaConsumer/completeRevocation(_:)`` lets them go.
        case revoked
        /// The partitions were taken away without a chance to commit (the session expired, or
        /// the member was fenced): another member may already own them.
        case lost
    }

    /// What the group did.
    public var kind: Kind
    /// The partitions it did it to: with the cooperative protocol only the ones that move, with
    /// the eager protocol the whole assignment.
    public var partitions: [TopicPartition]

    /// A change of `kind` to `partitions`.
    public init(kind: Kind, partitions: [TopicPartition]) {
        self.kind = kind
        self.partitions = partitions
    }
}
