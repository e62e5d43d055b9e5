import RdKafka
import Sluice

/// The splits of a job's other sources (a file source's) that a Kafka worker owns through its
/// consumer group, so that each is read by exactly one worker at a time.
///
/// Kafka's group coordinator assigns only topic partitions, so each such split has a partition
/// standing for it: of a topic named after the split's own (``Split/topic``), with one
/// partition per split and no records, created when the worker joins. The worker's consumer
/// subscribes to it next to the input and repartition topics; the group spreads its partitions
/// over the workers like any input partition, the worker restores the split's task on
/// assignment and checkpoints before a revoke lets it go, and the split's position is committed
/// as its partition's offset, with the group's generation (KIP-447 fences a stale worker).
/// Since the topic and the split have one name, nothing translates between them.
struct HostedSplits {
    /// The topics standing for other sources' splits.
    private(set) var topics: Set<String> = []

    /// Notes every split in `available` that is not a partition of `ownTopics` and returns the
    /// topics standing for them, each with one partition per split.
    mutating func note(available: [Split], ownTopics: Set<String>) -> [InternalTopic] {
        var partitions: [String: Int] = [:]
        for split in available where !ownTopics.contains(split.topic) {
            partitions[split.topic] = max(partitions[split.topic] ?? 0, Int(split.partition) + 1)
        }
        topics = Set(partitions.keys)
        return partitions.sorted { $0.key < $1.key }.map { InternalTopic(name: $0.key, partitionCount: $0.value) }
    }

    /// Whether `partition` stands for another source's split.
    func contains(_ partition: TopicPartition) -> Bool {
        topics.contains(partition.topic)
    }
}
