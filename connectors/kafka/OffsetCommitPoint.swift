import RdKafka
import Sluice

/// The at-least-once commit point of a Kafka worker: commits the positions of fully handled
/// records as the consumer group's offsets, after the runtime has flushed every output. The
/// worker's own consumer commits, so the member that owns a partition commits it, with the
/// current group generation.
final class OffsetCommitPoint: CommitPoint, @unchecked Sendable {
    private let consumer: KafkaConsumer

    init(consumer: KafkaConsumer) {
        self.consumer = consumer
    }

    func commit(_ commit: Commit) throws {
        try consumer.commit(commit.positions.map { TopicPartitionOffset($0.key.topic, $0.key.partition, offset: $0.value) })
    }

    func committedPositions(for splits: [Split]) throws -> [Split: Int64] {
        try Self.committedPositions(of: consumer, for: splits)
    }

    /// The group's committed offsets for `splits`; splits with none are absent.
    static func committedPositions(of consumer: KafkaConsumer, for splits: [Split]) throws -> [Split: Int64] {
        guard !splits.isEmpty else { return [:] }
        var out: [Split: Int64] = [:]
        for entry in try consumer.committed(splits.map { TopicPartition($0.topic, $0.partition) }) where entry.offset >= 0 {
            out[Split(topic: entry.topic, partition: entry.partition)] = entry.offset
        }
        return out
    }
}
