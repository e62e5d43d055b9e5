/// One attempt at a checkpoint of one task: what a ``TwoPhaseCommitParticipant`` names its
/// staged work after.
///
/// Aborted and retried attempts of a checkpoint share its ``sequence``, never its
/// ``incarnation``: a task draws a new incarnation whenever it is built, restored or rewound,
/// and within one incarnation the sequence only grows. So (job, task, sequence, incarnation)
/// names one attempt for good.
public struct CheckpointAttempt: Sendable, Hashable, CustomStringConvertible {
    /// The job.
    public var job: String
    /// The task.
    public var task: TaskID
    /// The checkpoint's sequence in the task's history: 1 for its first.
    public var sequence: UInt64
    /// The incarnation of the task making the attempt.
    public var incarnation: UInt64

    /// An attempt at checkpoint `sequence` of `task` by incarnation `incarnation`.
    public init(job: String, task: TaskID, sequence: UInt64, incarnation: UInt64) {
        self.job = job
        self.task = task
        self.sequence = sequence
        self.incarnation = incarnation
    }

    /// A name for the attempt's staged work, unique across the job's whole life and made only of
    /// ASCII letters, digits, `-`, `_` and `.` (fit for a PostgreSQL prepared transaction or a
    /// file name): `<job>.<stage>-<partition>.<sequence>.<incarnation in hex>`, the job's other
    /// characters replaced by `_`.
    public var name: String {
        "\(taskPrefix)\(sequence).\(String(incarnation, radix: 16))"
    }

    /// The task's prefix of ``name``, shared by every attempt of this task and by no other
    /// task's: what a participant lists to find staged work of the task that a recovery must
    /// roll back.
    public var taskPrefix: String { Self.taskPrefix(job: job, task: task) }

    /// The prefix of the ``name`` of every attempt of `task` of `job`.
    public static func taskPrefix(job: String, task: TaskID) -> String {
        let safeJob = String(job.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_")
                ? Character(scalar) : "_"
        })
        return "\(safeJob).\(task.stage)-\(task.partition)."
    }

    /// `<task> checkpoint <sequence> (incarnation <hex>)`.
    public var description: String {
        "\(task) checkpoint \(sequence) (incarnation \(String(incarnation, radix: 16)))"
    }
}

/// What a ``TwoPhaseCommitParticipant`` learns when its task is built: which task, and which
/// committed checkpoint it resumes from, with what the participant pre-committed for it.
public struct TaskRecovery: Sendable, Hashable {
    /// The job.
    public var job: String
    /// The task.
    public var task: TaskID
    /// The attempt that committed the checkpoint the task resumes from; `nil` when the task
    /// never committed one (or its state was reset).
    public var checkpoint: CheckpointAttempt?
    /// What the participant's ``TwoPhaseCommitParticipant/preCommit(_:)`` returned for that
    /// checkpoint; `nil` when it returned nothing, or did not exist then.
    public var preCommitted: [UInt8]?

    /// A recovery of `task` from `checkpoint`, with the participant's pre-commit bytes.
    public init(job: String, task: TaskID, checkpoint: CheckpointAttempt?, preCommitted: [UInt8]?) {
        self.job = job
        self.task = task
        self.checkpoint = checkpoint
        self.preCommitted = preCommitted
    }

    /// The prefix of the ``CheckpointAttempt/name`` of every attempt of the task: staged work
    /// under it that the checkpoint does not name is to be rolled back.
    public var taskPrefix: String { CheckpointAttempt.taskPrefix(job: job, task: task) }
}
