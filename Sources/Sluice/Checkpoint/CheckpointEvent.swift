/// What a worker's checkpointing did, reported to ``JobConfiguration/checkpointObserver`` on
/// the driver thread as it happens.
public enum CheckpointEvent: Sendable {
    /// Snapshot pieces of `tasks` tasks were appended to the checkpoint log (inside the open
    /// transaction, not yet flushed).
    case piecesStaged(tasks: Int, bytes: Int)
    /// Outputs and pieces are durable, manifests appended; the transaction is about to commit.
    case manifestsWritten(tasks: Int)
    /// A checkpoint committed.
    case committed(CheckpointReport)
    /// The open transaction was aborted; every task rewinds to its last committed checkpoint.
    case aborted(reason: String)
    /// A task was rebuilt from a committed checkpoint.
    case restored(RestoreReport)
    /// A task's committed checkpoint could not be used and the operator allowed a state reset
    /// (``JobConfiguration/resetsUnreadableState``): the task starts from empty state.
    case stateReset(task: TaskID, reason: String)
    /// The worker restarts after a recoverable failure, after `delay`.
    case restarting(attempt: Int, delay: Duration, error: String)
}

/// One committed checkpoint of a worker.
public struct CheckpointReport: Sendable {
    /// How many checkpoints this worker committed so far, this one included.
    public var number: Int
    /// Tasks whose checkpoint it holds; idle tasks keep their earlier one.
    public var tasks: Int
    /// Of those, how many wrote a full snapshot rather than an increment.
    public var fullSnapshots: Int
    /// Bytes of snapshot pieces written.
    public var bytes: Int
    /// Keyed entries written: all keys of full snapshots, changed keys of increments.
    public var entries: Int
    /// From the first snapshot to the committed transaction.
    public var duration: Duration
    /// Per task in the checkpoint, its new sequence and the pointer committed for it.
    public var sequences: [TaskID: (sequence: UInt64, pointer: Int64)] = [:]
}

/// One task rebuilt from a checkpoint.
public struct RestoreReport: Sendable {
    /// The task.
    public var task: TaskID
    /// The restored checkpoint's sequence.
    public var sequence: UInt64
    /// Bytes of snapshot pieces read.
    public var bytes: Int
    /// Keyed entries applied.
    public var entries: Int
    /// Reading and applying the checkpoint.
    public var duration: Duration
    /// The committed pointer the checkpoint was found by.
    public var pointer: Int64 = 0
    /// Where the restored task resumes its input.
    public var inputPosition: Int64?
}
