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
    /// The offset where a manifest should be holds no record, or a tombstone.
    case noRecord(task: TaskID, split: Split, offset: Int64, reason: String)
    /// The record at the offset is not a manifest (a snapshot piece, or not a checkpoint record
    /// at all); `reason` is the decoder's error.
    case notAManifest(task: TaskID, split: Split, offset: Int64, reason: String)
    /// The manifest was written by a newer Sluice, in a format version this build does not read.
    case newerFormat(task: TaskID, split: Split, offset: Int64, version: UInt8)
    /// The record is the manifest of another job or task: the pointer was moved by hand.
    case otherTasksManifest(task: TaskID, split: Split, offset: Int64, foundJob: String, foundTask: TaskID)

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
        case .noRecord(let task, let split, let offset, let reason):
            return "\(Self.place(task, split, offset)) holds no record: \(reason)"
        case .notAManifest(let task, let split, let offset, let reason):
            return "\(Self.place(task, split, offset)) is not a checkpoint manifest: \(reason)"
        case .newerFormat(let task, let split, let offset, let version):
            return "\(Self.place(task, split, offset)) is a manifest of format version \(version), newer than this build of Sluice reads (\(CheckpointManifest.formatVersion)); use a newer sluice"
        case .otherTasksManifest(let task, let split, let offset, let foundJob, let foundTask):
            return "\(Self.place(task, split, offset)) is the manifest of job '\(foundJob)', \(foundTask)"
        }
    }

    private static func place(_ task: TaskID, _ split: Split, _ offset: Int64) -> String {
        "\(task): topic \(split.topic) partition \(split.partition) offset \(offset)"
    }
}
