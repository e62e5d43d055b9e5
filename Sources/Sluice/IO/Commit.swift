/// What one commit makes durable.
///
/// At-least-once runs fill only ``positions``. Exactly-once commit points also receive
/// ``taskSnapshots`` and write them in the same transaction as the positions, which is why
/// both travel together.
public struct Commit: Sendable {
    /// Per split, the offset of the next record to read: one past the last record the job has
    /// fully handled, as Kafka's committed offsets mean.
    public var positions: [Split: Int64]
    /// Per task, its state snapshot (see ``KeyedStateBackend/snapshot()``); empty for
    /// at-least-once runs.
    public var taskSnapshots: [TaskID: [UInt8]]

    /// A commit of `positions` (next offsets to read) and, for exactly-once runs, task snapshots.
    public init(positions: [Split: Int64], taskSnapshots: [TaskID: [UInt8]] = [:]) {
        self.positions = positions
        self.taskSnapshots = taskSnapshots
    }
}
