import RdKafka
import Sluice

/// At-least-once commit point of a Kafka job: commits the positions of fully handled records
/// as the consumer group's offsets, after the runtime has flushed every sink.
///
/// It uses the ``KafkaSource``'s own consumer, so the member that owns a partition commits
/// it, with the current group generation.
public final class KafkaCommitPoint: CommitPoint, @unchecked Sendable {
    private let consumer: KafkaConsumer

    /// A commit point for the group of `source`.
    public init(source: KafkaSource) {
        consumer = source.consumer
    }

    /// Commits the next offset to read for every split in `commit`.
    public func commit(_ commit: Commit) throws {
        try consumer.commit(commit.positions.map { TopicPartitionOffset($0.key.topic, $0.key.partition, offset: $0.value) })
    }

    /// The group's committed offsets for `splits`; splits with none are absent.
    public func committedPositions(for splits: [Split]) throws -> [Split: Int64] {
        guard !splits.isEmpty else { return [:] }
        var out: [Split: Int64] = [:]
        for entry in try consumer.committed(splits.map { TopicPartition($0.topic, $0.partition) }) where entry.offset >= 0 {
            out[Split(topic: entry.topic, partition: entry.partition)] = entry.offset
        }
        return out
    }
}
