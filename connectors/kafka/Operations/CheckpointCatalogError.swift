import Sluice

/// Why a ``CheckpointCatalog`` could not tell a job's checkpoints. Each description is one line
/// naming what was looked for and where.
public enum CheckpointCatalogError: Error, Equatable, CustomStringConvertible {
    /// The first request to the brokers failed: nothing answered at `bootstrap`, or it refused.
    case unreachable(bootstrap: String, reason: String)
    /// A later request failed.
    case kafkaFailed(bootstrap: String, operation: String, reason: String)
    /// The cluster has no checkpoint topic of the job: no exactly-once job of that name ran there.
    case unknownJob(job: String, bootstrap: String)
    /// The job has no such task; `taskCounts` gives, per stage, how many tasks it has.
    case unknownTask(job: String, task: TaskID, taskCounts: [Int: Int])
    /// The record at `offset` of the task's checkpoint partition, which its pointer, a
    /// confirmation, or the request names, is missing or is no manifest (or reset) of the
    /// task; a restore of the task fails the same way.
    case unreadable(task: TaskID, split: Split, offset: Int64, reason: CheckpointRecordDefect)

    /// What went wrong, naming brokers, job, task, topic, partition and offset as they apply.
    public var description: String {
        switch self {
        case .unreachable(let bootstrap, let reason):
            return "cannot reach Kafka at \(bootstrap): \(reason)"
        case .kafkaFailed(let bootstrap, let operation, let reason):
            return "Kafka at \(bootstrap): \(operation): \(reason)"
        case .unknownJob(let job, let bootstrap):
            return "no checkpoint topics of job '\(job)' (\(job)-<stage>-checkpoints) at \(bootstrap): no exactly-once job of that name has run there"
        case .unknownTask(let job, let task, let taskCounts):
            let known = taskCounts.sorted { $0.key < $1.key }
                .map { $0.value == 1 ? "\($0.key).0" : "\($0.key).0-\($0.key).\($0.value - 1)" }
            return "job '\(job)' has no \(task); its tasks are \(known.joined(separator: ", "))"
        case .unreadable(let task, let split, let offset, let reason):
            return "\(task): topic \(split.topic) partition \(split.partition) offset \(offset) \(reason)"
        }
    }
}

extension CheckpointCatalogError {
    /// The catalog's error for a partition it could not read.
    init(_ error: PartitionReadError) {
        switch error {
        case .unreachable: self = .unreachable(bootstrap: error.bootstrap, reason: "\(error.operation): \(error.reason)")
        case .failed: self = .kafkaFailed(bootstrap: error.bootstrap, operation: error.operation, reason: error.reason)
        }
    }
}
