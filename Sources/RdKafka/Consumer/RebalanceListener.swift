/// Hears the consumer group's partition assignment changes.
///
/// Called on the thread that polls, inside ``KafkaConsumer/poll(maxRecords:timeout:_:)`` or
/// ``KafkaConsumer/close()``. With the cooperative-sticky strategy the partitions are the
/// *increment*: only the ones added or taken away, while the others keep being consumed.
/// The consumer may be used from the listener, e.g. to commit offsets before partitions go.
public protocol RebalanceListener: Sendable {
    /// Partitions added to this member. Return start offsets for any of them to override the
    /// group's committed offsets (by default consumption resumes from the committed offset,
    /// or `auto.offset.reset` when there is none).
    func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) -> [TopicPartition: Int64]
    /// Partitions taken from this member in an orderly rebalance; commit what was processed.
    func partitionsRevoked(_ partitions: [TopicPartition], consumer: KafkaConsumer)
    /// Partitions lost without a chance to commit (session timed out, or fenced): another
    /// member may already own them, so offsets must not be committed for them.
    func partitionsLost(_ partitions: [TopicPartition], consumer: KafkaConsumer)
}

extension RebalanceListener {
    /// Resumes every partition at its committed offset.
    public func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) -> [TopicPartition: Int64] { [:] }
    /// Does nothing.
    public func partitionsRevoked(_ partitions: [TopicPartition], consumer: KafkaConsumer) {}
    /// Calls ``partitionsRevoked(_:consumer:)``, as Kafka's Java client does; override it
    /// where the revoke path commits offsets.
    public func partitionsLost(_ partitions: [TopicPartition], consumer: KafkaConsumer) {
        partitionsRevoked(partitions, consumer: consumer)
    }
}
