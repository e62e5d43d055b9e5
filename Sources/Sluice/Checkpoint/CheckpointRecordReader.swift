/// Reads the records of checkpoint partitions by offset: what ``CheckpointLocator`` finds a
/// task's checkpoint through, whether a worker restores the task (through its
/// ``CheckpointLog``) or an operator tool looks at it from outside the job.
///
/// A reader throws only when it cannot read: the log cannot be reached, or refuses. An offset
/// that holds no record (compacted away, a transaction marker, outside the partition) is not an
/// error, it is simply absent from the result, so that the locator can tell a damaged or
/// missing checkpoint (``CheckpointError/unreadable(job:task:split:offset:via:reason:)``) from an
/// outage, which a retry may overcome.
public protocol CheckpointRecordReader {
    /// The records of `split` with offsets in `from...through`, in offset order; records of
    /// open and aborted transactions included.
    func read(_ split: Split, from: Int64, through: Int64) throws -> [CheckpointLogRecord]

    /// Every record of `split` from `from` to its current end, in offset order; records of
    /// open and aborted transactions included.
    func readToEnd(_ split: Split, from: Int64) throws -> [CheckpointLogRecord]
}
