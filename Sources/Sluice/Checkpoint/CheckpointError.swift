/// Why a checkpoint could not be written, or a task could not be restored from one.
public enum CheckpointError: Error, CustomStringConvertible {
    /// A checkpoint record was flushed but its offset never confirmed.
    case unconfirmedWrite(String)
    /// The record at `offset` of the task's checkpoint partition `split`, which its committed
    /// checkpoint leads to `via` (the manifest the pointer or a confirmation names, or a
    /// snapshot piece the manifest names), is missing or cannot serve. A log that cannot be
    /// reached is not this error, but the log's own.
    case unreadable(job: String, task: TaskID, split: Split, offset: Int64, via: CheckpointRecordRole, reason: CheckpointRecordDefect)
    /// The checkpoint's input position disagrees with the group's committed offset of that
    /// input: someone moved the offsets by hand, and restoring would mix new offsets with old
    /// state.
    case positionMismatch(job: String, task: TaskID, input: Split, checkpoint: Int64, committed: Int64?)
    /// The checkpoint holds state of an operator this job does not have.
    case unknownOperator(job: String, task: TaskID, participant: String)
    /// Right before committing, the worker found it may no longer own its splits (it was
    /// frozen, or the group reports its assignment lost): it aborts instead.
    case ownershipInDoubt

    /// One line naming job, task and offsets, and what to do.
    public var description: String {
        switch self {
        case .unconfirmedWrite(let what):
            "\(what) was flushed without a confirmed offset"
        case .unreadable(let job, let task, let split, let offset, let via, let reason):
            "job \(job), \(task): its committed checkpoint cannot be restored: offset \(offset) of \(split), \(via), \(reason); restart with a state reset (JobConfiguration.resetsUnreadableState) to start this task from empty state"
        case .positionMismatch(let job, let task, let input, let checkpoint, let committed):
            "job \(job), \(task): its checkpoint resumes \(input) at offset \(checkpoint), but the group's committed offset is \(committed.map(String.init) ?? "none"); the offsets were moved by hand. Reset the state too (JobConfiguration.resetsUnreadableState) or move the offsets back"
        case .ownershipInDoubt:
            "the worker may have lost its splits to the group (frozen, or assignment lost); the transaction is aborted instead of committed"
        case .unknownOperator(let job, let task, let participant):
            "job \(job), \(task): the checkpoint holds state of operator '\(participant)', which this job does not have; the job changed since the checkpoint was taken"
        }
    }
}

extension Error {
    /// Whether this is ``CheckpointError/ownershipInDoubt``.
    var isOwnershipInDoubt: Bool {
        if case .ownershipInDoubt = self as? CheckpointError { return true }
        return false
    }
}
