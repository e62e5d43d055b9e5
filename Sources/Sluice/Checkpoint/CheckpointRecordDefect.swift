/// What is wrong with a record of a task's checkpoint partition that a restore was led to (by
/// the committed pointer, a confirmation or a manifest): the partition was read, and the record
/// there is missing or cannot serve.
///
/// A read that fails because the log cannot be reached is not a defect: the log's own error
/// reports it, and a retry may succeed, where a defect stays until an operator resets the
/// task's state.
public enum CheckpointRecordDefect: Sendable, Equatable, CustomStringConvertible {
    /// The offset holds no record: compacted away, a transaction marker, or outside the
    /// partition.
    case absent
    /// The offset holds a tombstone.
    case tombstone
    /// Not a checkpoint record this build reads: not Sluice's, damaged, or of a newer format.
    case undecodable(CheckpointFormatError)
    /// A checkpoint record of another kind than the one expected, such as a snapshot piece
    /// where a manifest should be; both named as ``CheckpointRecord/kindName`` names them.
    case wrongKind(expected: String, found: String)
    /// The manifest or reset record of another job or task (named by its kind): the pointer
    /// was moved by hand.
    case otherTask(record: String, job: String, task: TaskID)
    /// A confirmation names checkpoint `confirmed` at this offset, which holds the manifest of
    /// checkpoint `found`.
    case otherCheckpoint(confirmed: UInt64, found: UInt64)
    /// A snapshot piece whose entries cannot be read or applied.
    case damagedPiece(String)

    /// What the offset holds, to follow "offset N of topic[partition]".
    public var description: String {
        switch self {
        case .absent: "holds no record (compacted away, a transaction marker, or outside the partition)"
        case .tombstone: "holds only a tombstone"
        case .undecodable(let error): "holds no checkpoint record this build reads: \(error)"
        case .wrongKind(let expected, let found): "holds a \(found): expected a \(expected) record"
        case .otherTask(let record, let job, let task): "holds the \(record) of job \(job), \(task)"
        case .otherCheckpoint(let confirmed, let found):
            "holds checkpoint \(found), but a confirmation names checkpoint \(confirmed) there"
        case .damagedPiece(let reason): "holds a snapshot piece that cannot be restored: \(reason)"
        }
    }
}
