/// A record a task writes to its checkpoint partition at the start of the transaction after
/// one that committed a checkpoint of it: "checkpoint `sequence`, whose manifest is at
/// `manifestOffset`, committed".
///
/// The committed consumer offset of the partition (the pointer) says the same, but a broker may
/// show offsets committed in a transaction late: Tansu 0.6 applies them only once no other
/// transaction is open on the partitions the transaction wrote, so a worker restoring the task
/// meanwhile would read an older pointer and fork the task's history. A confirmation is true
/// whether or not the transaction carrying it commits (it is written only after the checkpoint
/// committed), and a restore reads the partition past the pointer, so it finds the newest
/// checkpoint proven committed even while the broker still shows an older pointer, and even on a
/// broker that keeps no transactional offsets at all.
public struct CheckpointConfirmation: Sendable, Equatable {
    /// The task the checkpoint belongs to.
    public var task: TaskID
    /// The committed checkpoint's sequence.
    public var sequence: UInt64
    /// The incarnation that committed it.
    public var incarnation: UInt64
    /// The offset of its manifest in the task's checkpoint partition.
    public var manifestOffset: Int64

    /// A confirmation of checkpoint `sequence` of `task`.
    public init(task: TaskID, sequence: UInt64, incarnation: UInt64, manifestOffset: Int64) {
        self.task = task
        self.sequence = sequence
        self.incarnation = incarnation
        self.manifestOffset = manifestOffset
    }

    /// The record key: one per task, so compaction keeps the newest.
    var key: [UInt8] { Array("\(task.stage).\(task.partition)/confirmed".utf8) }

    /// The record value.
    public func encoded() -> [UInt8] {
        var writer = CheckpointRecordKind.confirmation.header()
        writer.write(UInt32(task.stage))
        writer.write(UInt32(task.partition))
        writer.write(sequence)
        writer.write(incarnation)
        writer.write(manifestOffset)
        return writer.bytes
    }

    /// Reads a confirmation; throws ``CheckpointFormatError`` for a record that is not one, or
    /// is of a newer format version.
    public static func decode(_ bytes: [UInt8]) throws -> CheckpointConfirmation {
        var reader = SnapshotReader(bytes)
        try CheckpointRecordKind.expect(.confirmation, reading: &reader)
        let task = TaskID(stage: Int(try reader.readUInt32()), partition: Int(try reader.readUInt32()))
        let sequence = try reader.readUInt64()
        let incarnation = try reader.readUInt64()
        let manifestOffset = try reader.readInt64()
        guard reader.isAtEnd else { throw CheckpointFormatError.malformed("trailing bytes after a confirmation") }
        return CheckpointConfirmation(task: task, sequence: sequence, incarnation: incarnation, manifestOffset: manifestOffset)
    }

    /// Reads a confirmation; `nil` for any other record.
    public static func decodeIfConfirmation(_ bytes: [UInt8]) -> CheckpointConfirmation? {
        try? decode(bytes)
    }
}
