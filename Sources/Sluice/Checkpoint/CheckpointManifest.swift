/// The last record a task writes in a checkpoint: everything needed to rebuild the task,
/// naming by exact offset each snapshot piece its keyed state is rebuilt from.
///
/// The committed offset of a task's checkpoint partition is its pointer: the manifest sits just
/// before it. A manifest is written only after the pieces it names were delivered, so their
/// offsets are known; it is committed in the same transaction as the task's input position and
/// its output, which makes state, input and output move together.
public struct CheckpointManifest: Sendable, Equatable {
    /// The encoding version this build writes and reads; a manifest of a newer version is
    /// refused with an error rather than misread.
    public static let formatVersion: UInt8 = 1

    /// The job the checkpoint belongs to.
    public var jobName: String
    /// The task it rebuilds.
    public var task: TaskID
    /// The task's checkpoint sequence: 1 for its first, one more for each after it.
    public var sequence: UInt64
    /// The incarnation of the task that committed it (see `RepartitionInbox`): drawn anew on
    /// every start, restore or rewind of the task.
    public var incarnation: UInt64
    /// When the checkpoint was taken, in milliseconds since the Unix epoch.
    public var createdAt: Int64
    /// The worker that wrote it.
    public var writer: String
    /// Whether this checkpoint wrote a full snapshot and started a new chain, rather than an
    /// increment of the keys changed since the previous one.
    public var isFull: Bool
    /// The chain of pieces the state is rebuilt from: a full snapshot and its increments.
    public var chain: UInt64
    /// The sequence of the checkpoint that started the chain.
    public var chainStartSequence: UInt64
    /// The offsets, in the task's checkpoint partition, of every piece the state is rebuilt
    /// from, in the order to apply them: the full snapshot's pieces, then each increment's.
    public var pieceOffsets: [Int64]
    /// Bytes of all pieces named in ``pieceOffsets``: what a restore reads.
    public var chainBytes: UInt64
    /// Bytes of the full snapshot that started the chain.
    public var fullSnapshotBytes: UInt64
    /// Bytes of the pieces this checkpoint wrote.
    public var checkpointBytes: UInt64
    /// Keyed entries this checkpoint wrote: every key for a full snapshot, the changed keys for
    /// an increment.
    public var checkpointEntries: UInt64
    /// The split the task reads (a source partition or a repartition partition), if any.
    public var input: Split?
    /// The offset of the next record of ``input`` the restored task reads.
    public var inputPosition: Int64?
    /// Small state of the task's operators kept whole (watermarks, read positions), by
    /// participant id.
    public var scalars: [ScalarState]
    /// What each two-phase-commit participant of the task (``TwoPhaseCommitParticipant``)
    /// pre-committed in this checkpoint, by participant id: what a restore hands it to finish.
    public var preCommitted: [ScalarState]

    /// The small state of one participant.
    public struct ScalarState: Sendable, Equatable {
        /// The participant's id within the task: `<logical node id>:<role>`.
        public var participant: String
        /// Its encoded state.
        public var bytes: [UInt8]

        /// The state of `participant`.
        public init(participant: String, bytes: [UInt8]) {
            self.participant = participant
            self.bytes = bytes
        }
    }

    /// A manifest with every field given.
    public init(
        jobName: String, task: TaskID, sequence: UInt64, incarnation: UInt64, createdAt: Int64, writer: String,
        isFull: Bool, chain: UInt64, chainStartSequence: UInt64, pieceOffsets: [Int64], chainBytes: UInt64,
        fullSnapshotBytes: UInt64, checkpointBytes: UInt64, checkpointEntries: UInt64, input: Split?, inputPosition: Int64?, scalars: [ScalarState],
        preCommitted: [ScalarState] = []
    ) {
        self.jobName = jobName
        self.task = task
        self.sequence = sequence
        self.incarnation = incarnation
        self.createdAt = createdAt
        self.writer = writer
        self.isFull = isFull
        self.chain = chain
        self.chainStartSequence = chainStartSequence
        self.pieceOffsets = pieceOffsets
        self.chainBytes = chainBytes
        self.fullSnapshotBytes = fullSnapshotBytes
        self.checkpointBytes = checkpointBytes
        self.checkpointEntries = checkpointEntries
        self.input = input
        self.inputPosition = inputPosition
        self.scalars = scalars
        self.preCommitted = preCommitted
    }

    /// The record value.
    public func encoded() -> [UInt8] {
        var writer = CheckpointRecordKind.manifest.header()
        writer.write(string: jobName)
        writer.write(UInt32(task.stage))
        writer.write(UInt32(task.partition))
        writer.write(sequence)
        writer.write(incarnation)
        writer.write(createdAt)
        writer.write(string: self.writer)
        writer.write(isFull)
        writer.write(chain)
        writer.write(chainStartSequence)
        writer.write(UInt32(pieceOffsets.count))
        for offset in pieceOffsets { writer.write(offset) }
        writer.write(chainBytes)
        writer.write(fullSnapshotBytes)
        writer.write(checkpointBytes)
        writer.write(checkpointEntries)
        writer.write(input != nil)
        if let input {
            writer.write(string: input.topic)
            writer.write(UInt32(bitPattern: input.partition))
        }
        writer.write(inputPosition != nil)
        writer.write(inputPosition ?? 0)
        writer.write(UInt32(scalars.count))
        for scalar in scalars {
            writer.write(string: scalar.participant)
            writer.write(bytes: scalar.bytes)
        }
        // Written only when present, so manifests without it read the same in earlier builds.
        if !preCommitted.isEmpty {
            writer.write(UInt32(preCommitted.count))
            for entry in preCommitted {
                writer.write(string: entry.participant)
                writer.write(bytes: entry.bytes)
            }
        }
        return writer.bytes
    }

    /// Reads a manifest; throws ``CheckpointFormatError`` for a record that is not one, or is
    /// of a newer format version.
    public static func decode(_ bytes: [UInt8]) throws -> CheckpointManifest {
        var reader = SnapshotReader(bytes)
        try CheckpointRecordKind.expect(.manifest, reading: &reader)
        let jobName = try reader.readString()
        let task = TaskID(stage: Int(try reader.readUInt32()), partition: Int(try reader.readUInt32()))
        let sequence = try reader.readUInt64()
        let incarnation = try reader.readUInt64()
        let createdAt = try reader.readInt64()
        let writer = try reader.readString()
        let isFull = try reader.readBool()
        let chain = try reader.readUInt64()
        let chainStartSequence = try reader.readUInt64()
        var pieceOffsets: [Int64] = []
        for _ in 0..<(try reader.readUInt32()) { pieceOffsets.append(try reader.readInt64()) }
        let chainBytes = try reader.readUInt64()
        let fullSnapshotBytes = try reader.readUInt64()
        let checkpointBytes = try reader.readUInt64()
        let checkpointEntries = try reader.readUInt64()
        var input: Split?
        if try reader.readBool() {
            input = Split(topic: try reader.readString(), partition: Int32(bitPattern: try reader.readUInt32()))
        }
        let hasPosition = try reader.readBool()
        let position = try reader.readInt64()
        var scalars: [ScalarState] = []
        for _ in 0..<(try reader.readUInt32()) {
            scalars.append(ScalarState(participant: try reader.readString(), bytes: try reader.readBytes()))
        }
        var preCommitted: [ScalarState] = []
        if !reader.isAtEnd {
            for _ in 0..<(try reader.readUInt32()) {
                preCommitted.append(ScalarState(participant: try reader.readString(), bytes: try reader.readBytes()))
            }
        }
        guard reader.isAtEnd else { throw CheckpointFormatError.malformed("trailing bytes after a manifest") }
        return CheckpointManifest(
            jobName: jobName, task: task, sequence: sequence, incarnation: incarnation, createdAt: createdAt,
            writer: writer, isFull: isFull, chain: chain, chainStartSequence: chainStartSequence,
            pieceOffsets: pieceOffsets, chainBytes: chainBytes, fullSnapshotBytes: fullSnapshotBytes,
            checkpointBytes: checkpointBytes,
            checkpointEntries: checkpointEntries, input: input, inputPosition: hasPosition ? position : nil,
            scalars: scalars, preCommitted: preCommitted)
    }
}
