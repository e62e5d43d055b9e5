import RdKafka

/// Why ``JobOffsets`` could not show or reset a job's offsets. Each description is one line
/// naming job, topic, partition and address as they apply.
public enum JobOffsetsError: Error, Equatable, CustomStringConvertible {
    /// The first request to the brokers failed: nothing answered at `bootstrap`, or it refused.
    case unreachable(bootstrap: String, reason: String)
    /// A later request failed.
    case kafkaFailed(bootstrap: String, operation: String, reason: String)
    /// The job's group committed no offsets and the cluster has none of its internal topics.
    case unknownJob(job: String, bootstrap: String)
    /// A reset while workers of the job are in its group: they would overwrite it.
    case activeMembers(job: String, members: [ConsumerGroupMember])
    /// A reset while the job's group is in a state only a group with members is in, though
    /// the broker named none of them.
    case groupActive(job: String, state: String)
    /// No input topics were named and the group committed offsets of none.
    case noInputTopics(job: String, bootstrap: String)
    /// A topic named as input does not exist.
    case unknownTopic(topic: String, bootstrap: String)
    /// An explicit offset names a partition the topic does not have.
    case unknownPartition(topic: String, partition: Int32, partitions: Int)
    /// An explicit offset lies outside the partition's records.
    case offsetOutOfRange(topic: String, partition: Int32, offset: Int64, low: Int64, end: Int64)
    /// The reset target could not be read.
    case invalidTarget(String, reason: String)
    /// `--topic` and explicit offsets name different topics.
    case topicsDisagree(named: [String], inOffsets: [String])
    /// A reset record could not be written to a checkpoint partition.
    case writeFailed(job: String, topic: String, partition: Int32, reason: String)

    /// What went wrong, in one line.
    public var description: String {
        switch self {
        case .unreachable(let bootstrap, let reason):
            return "cannot reach Kafka at \(bootstrap): \(reason)"
        case .kafkaFailed(let bootstrap, let operation, let reason):
            return "Kafka at \(bootstrap): \(operation): \(reason)"
        case .unknownJob(let job, let bootstrap):
            return "no job '\(job)' at \(bootstrap): its group committed no offsets and there are no \(job)-<stage>-checkpoints or -repartition topics"
        case .activeMembers(let job, let members):
            let list = members.map(\.description).joined(separator: ", ")
            return "job '\(job)' has \(members.count) active member\(members.count == 1 ? "" : "s") in its group: \(list); stop its workers first"
        case .groupActive(let job, let state):
            return "job '\(job)' has active members: its group is \(state) (the broker names none of them); stop its workers first"
        case .noInputTopics(let job, let bootstrap):
            return "group '\(job)' at \(bootstrap) committed no offsets of any input topic; name the input topics with --topic"
        case .unknownTopic(let topic, let bootstrap):
            return "topic \(topic) does not exist at \(bootstrap)"
        case .unknownPartition(let topic, let partition, let partitions):
            return "topic \(topic) has no partition \(partition); it has \(partitions) (0-\(partitions - 1))"
        case .offsetOutOfRange(let topic, let partition, let offset, let low, let end):
            return "topic \(topic) partition \(partition): offset \(offset) is outside its records (\(low) to \(end))"
        case .invalidTarget(let text, let reason):
            return "cannot read reset target '\(text)': \(reason)"
        case .topicsDisagree(let named, let inOffsets):
            return "--topic names \(named.joined(separator: ", ")) but the offsets name \(inOffsets.joined(separator: ", "))"
        case .writeFailed(let job, let topic, let partition, let reason):
            return "job '\(job)': writing the reset record to topic \(topic) partition \(partition) failed: \(reason)"
        }
    }
}
