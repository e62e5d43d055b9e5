/// A record an operator's offset reset (`sluice offsets reset`) appends to a task's checkpoint
/// partition: "from here on, this task has no state".
///
/// The reset commits the task's checkpoint pointer just past this record, together with the
/// new input offsets, so a restore that meets it at its pointer starts the task from empty
/// state at the group's committed input offset, never mixing the new offsets with state built
/// from the old ones. Confirmations written before it belong to the history it ended, so a
/// restore ignores them; the task's checkpoints after it start again at sequence 1.
public struct CheckpointReset: Sendable, Equatable {
    /// The job whose state was reset.
    public var jobName: String
    /// The task whose state was reset.
    public var task: TaskID
    /// When the reset was made, in milliseconds since the Unix epoch.
    public var createdAt: Int64
    /// What the operator asked for, e.g. `--to earliest` or `--to 2026-01-01T00:00:00Z`.
    public var reason: String

    /// A reset of `task` of `jobName`.
    public init(jobName: String, task: TaskID, createdAt: Int64, reason: String) {
        self.jobName = jobName
        self.task = task
        self.createdAt = createdAt
        self.reason = reason
    }

    /// The record key: one per task, apart from every other record of the task, so compaction
    /// keeps the newest reset.
    public var key: [UInt8] { Array("\(task.stage).\(task.partition)/reset".utf8) }

    /// The record value.
    public func encoded() -> [UInt8] {
        var writer = CheckpointRecordKind.reset.header()
        writer.write(string: jobName)
        writer.write(UInt32(task.stage))
        writer.write(UInt32(task.partition))
        writer.write(createdAt)
        writer.write(string: reason)
        return writer.bytes
    }

    /// Reads a reset record; throws ``CheckpointFormatError`` for a record that is not one, or
    /// is of a newer format version.
    public static func decode(_ bytes: [UInt8]) throws -> CheckpointReset {
        var reader = SnapshotReader(bytes)
        try CheckpointRecordKind.expect(.reset, reading: &reader)
        let jobName = try reader.readString()
        let task = TaskID(stage: Int(try reader.readUInt32()), partition: Int(try reader.readUInt32()))
        let createdAt = try reader.readInt64()
        let reason = try reader.readString()
        guard reader.isAtEnd else { throw CheckpointFormatError.malformed("trailing bytes after a reset record") }
        return CheckpointReset(jobName: jobName, task: task, createdAt: createdAt, reason: reason)
    }

    /// Reads a reset record; `nil` for any other record.
    public static func decodeIfReset(_ bytes: [UInt8]) -> CheckpointReset? {
        try? decode(bytes)
    }
}
