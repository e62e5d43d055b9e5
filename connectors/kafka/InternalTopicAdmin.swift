import Foundation
import Logging
import RdKafka
import Sluice

/// Creates a job's internal topics (repartition and checkpoint topics) when they are missing,
/// and checks the partition counts of those that exist.
struct InternalTopicAdmin: Sendable {
    let admin: KafkaAdmin

    /// Creates the missing `topics` with `config`; throws when one has fewer partitions than the
    /// plan needs (`exact`: other than it needs), naming topic and counts.
    func ensure(_ topics: [InternalTopic], config: [String: String], exact: Bool) throws {
        let existing = Set(try admin.listTopics())
        for topic in topics {
            if !existing.contains(topic.name) {
                // Other workers of the job may create it at the same moment.
                try admin.createTopic(
                    topic.name, partitions: Int32(topic.partitionCount), config: config, ignoreExisting: true)
            }
            let partitions = try partitionCount(of: topic.name)
            guard exact ? partitions == topic.partitionCount : partitions >= topic.partitionCount else {
                // Fatal: a restart finds the same topic; the operator has to change one of them.
                throw KafkaConnectorError.internalTopicPartitions(
                    topic: topic.name, partitions: partitions, needed: topic.partitionCount)
            }
        }
    }

    /// Brokers publish a new topic's metadata a moment after creating it, so a topic just
    /// created may still be unknown for a few seconds.
    private func partitionCount(of topic: String) throws -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                return try admin.describeTopic(topic).partitions.count
            } catch where ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }
}
