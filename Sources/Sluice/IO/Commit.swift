/// What one commit makes durable: per split, the next offset to read.
///
/// Exactly-once commits also carry, as positions, every checkpointed task's pointer (its
/// checkpoint partition's offset after the manifest); the task snapshots themselves were written
/// through the ``CheckpointLog`` in the same transaction.
public struct Commit: Sendable {
    /// Per split, the offset of the next record to read: one past the last record the job has
    /// fully handled, as Kafka's committed offsets mean.
    public var positions: [Split: Int64]

    /// A commit of `positions` (next offsets to read).
    public init(positions: [Split: Int64]) {
        self.positions = positions
    }
}
