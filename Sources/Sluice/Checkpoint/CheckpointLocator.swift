/// Finds a task's newest committed checkpoint: the one place that decides it, for a worker
/// restoring the task and for the operator tools (`sluice checkpoints list|inspect`,
/// `sluice offsets show`) alike, so that they always name the same checkpoint.
///
/// The committed offset of the task's checkpoint partition in the job's group (its pointer)
/// names a manifest, the record just before it. A broker may show that pointer late (Tansu
/// applies transactional offsets only once no other transaction is open on the partitions) or
/// never (librdkafka's mock clusters keep no transactional offsets), so the partition is read
/// past the pointer too: a ``CheckpointConfirmation`` there proves that a newer checkpoint
/// committed. A ``CheckpointReset`` ends the history before it: confirmations before it are
/// not followed, and the task's checkpoints after it count again from sequence 1.
///
/// ```swift
/// let locator = CheckpointLocator(jobName: "word-count", reader: reader)
/// if case .checkpoint(let found) = try locator.locate(TaskID(stage: 1, partition: 0), groupPointer: 104) {
///     print(found.manifest.sequence, found.pointer, found.namedByGroup)
/// }
/// ```
///
/// Every read is by an offset that a committed transaction named, so nothing depends on the
/// broker hiding records of aborted transactions. A record that is missing or cannot serve is
/// ``CheckpointError/unreadable(job:task:split:offset:via:reason:)``; a read that fails is the
/// reader's own error, unchanged, since a retry may succeed.
public struct CheckpointLocator {
    /// The job whose tasks it finds checkpoints of.
    public let jobName: String
    private let reader: any CheckpointRecordReader
    private let topics: JobTopics

    /// A committed checkpoint of a task.
    public struct Located: Sendable, Equatable {
        /// Its manifest.
        public var manifest: CheckpointManifest
        /// Its pointer: the manifest's offset + 1.
        public var pointer: Int64
        /// Whether the group's committed pointer names it; else a confirmation proved that it
        /// committed while the broker still shows an older pointer, or none.
        public var namedByGroup: Bool

        /// A checkpoint found at `pointer`.
        public init(manifest: CheckpointManifest, pointer: Int64, namedByGroup: Bool) {
            self.manifest = manifest
            self.pointer = pointer
            self.namedByGroup = namedByGroup
        }
    }

    /// What a task restores from.
    public enum Finding: Sendable, Equatable {
        /// Nothing: the task never committed a checkpoint. It starts from empty state.
        case none
        /// The group's pointer names a reset of the task's state, and the task committed no
        /// checkpoint since: it starts from empty state at the group's committed input offset.
        case reset(CheckpointReset, pointer: Int64)
        /// A committed checkpoint.
        case checkpoint(Located)

        /// The checkpoint found, if any.
        public var checkpoint: Located? {
            if case .checkpoint(let located) = self { return located }
            return nil
        }
    }

    /// What a checkpoint pointer may name: a manifest of the task, or a reset of its state.
    public enum Target: Sendable, Equatable {
        /// A manifest of the task.
        case manifest(CheckpointManifest)
        /// A reset of the task's state.
        case reset(CheckpointReset)
    }

    /// A locator of `jobName`'s checkpoints, reading through `reader`.
    public init(jobName: String, reader: any CheckpointRecordReader) {
        self.jobName = jobName
        self.reader = reader
        topics = JobTopics(job: jobName)
    }

    /// A locator reading through a worker's checkpoint log.
    init(jobName: String, log: any CheckpointLog) {
        self.init(jobName: jobName, reader: LogReader(log: log))
    }

    /// The newest committed checkpoint of `task`: the one `groupPointer` names, unless a
    /// confirmation after it proves a newer one committed; without a pointer, the newest
    /// confirmed one in the partition.
    ///
    /// - Throws: ``CheckpointError/unreadable(job:task:split:offset:via:reason:)`` when the record
    ///   the pointer or a confirmation names is missing or is no manifest (or reset) of the
    ///   task; the reader's error when it cannot read.
    public func locate(_ task: TaskID, groupPointer: Int64?) throws -> Finding {
        let split = topics.checkpointSplit(of: task)
        let named = try groupPointer.map { try target(of: task, at: $0 - 1, via: .pointer($0)) }
        let tail = try reader.readToEnd(split, from: groupPointer ?? 0)
        let records = tail.map { record in record.value.flatMap { try? CheckpointRecord.decode($0) } }
        // Confirmations before a reset belong to the history it ended; sequences start again
        // after it.
        let lastReset = records.lastIndex { record in
            guard case .reset(let reset) = record else { return false }
            return reset.jobName == jobName && reset.task == task
        }
        let newest = records[(lastReset.map { $0 + 1 } ?? 0)...]
            .compactMap { record -> CheckpointConfirmation? in
                guard case .confirmation(let confirmation) = record, confirmation.task == task else { return nil }
                return confirmation
            }
            .max { $0.sequence < $1.sequence }
        var namedSequence: UInt64 = 0
        if case .manifest(let manifest) = named { namedSequence = manifest.sequence }
        if let newest, newest.sequence > namedSequence {
            let via = CheckpointRecordRole.confirmation(sequence: newest.sequence)
            let proven = try manifest(of: task, at: newest.manifestOffset, via: via)
            guard proven.sequence == newest.sequence else {
                throw CheckpointError.unreadable(
                    job: jobName, task: task, split: split, offset: newest.manifestOffset, via: via,
                    reason: .otherCheckpoint(confirmed: newest.sequence, found: proven.sequence))
            }
            return .checkpoint(Located(manifest: proven, pointer: newest.manifestOffset + 1, namedByGroup: false))
        }
        switch named {
        case .manifest(let manifest)?: return .checkpoint(Located(manifest: manifest, pointer: groupPointer!, namedByGroup: true))
        case .reset(let reset)?: return .reset(reset, pointer: groupPointer!)
        case nil: return .none
        }
    }

    /// The manifest of `task` that `pointer` names (at `pointer - 1`), as after a rewind to a
    /// checkpoint this worker committed or restored itself, when nothing newer can exist.
    ///
    /// - Throws: as ``locate(_:groupPointer:)`` does; a reset record there is the wrong kind.
    public func manifest(of task: TaskID, pointer: Int64) throws -> CheckpointManifest {
        try manifest(of: task, at: pointer - 1, via: .pointer(pointer))
    }

    /// The manifest or reset record of `task` at `offset` of its checkpoint partition.
    ///
    /// - Throws: ``CheckpointError/unreadable(job:task:split:offset:via:reason:)`` when the offset
    ///   holds no record, a tombstone, a record of another kind, or one of another job or
    ///   task; the reader's error when it cannot read.
    public func target(of task: TaskID, at offset: Int64) throws -> Target {
        try target(of: task, at: offset, via: .requested)
    }

    private func target(of task: TaskID, at offset: Int64, via: CheckpointRecordRole) throws -> Target {
        let split = topics.checkpointSplit(of: task)
        func unreadable(_ reason: CheckpointRecordDefect) -> CheckpointError {
            .unreadable(job: jobName, task: task, split: split, offset: offset, via: via, reason: reason)
        }
        guard offset >= 0 else { throw unreadable(.absent) }
        guard let record = try reader.read(split, from: offset, through: offset).first(where: { $0.offset == offset }) else {
            throw unreadable(.absent)
        }
        guard let value = record.value else { throw unreadable(.tombstone) }
        let decoded: CheckpointRecord
        do {
            decoded = try CheckpointRecord.decode(value)
        } catch let error as CheckpointFormatError {
            throw unreadable(.undecodable(error))
        }
        switch decoded {
        case .manifest(let manifest):
            guard manifest.jobName == jobName, manifest.task == task else {
                throw unreadable(.otherTask(record: decoded.kindName, job: manifest.jobName, task: manifest.task))
            }
            return .manifest(manifest)
        case .reset(let reset):
            guard reset.jobName == jobName, reset.task == task else {
                throw unreadable(.otherTask(record: decoded.kindName, job: reset.jobName, task: reset.task))
            }
            return .reset(reset)
        case .piece, .confirmation:
            throw unreadable(.wrongKind(expected: CheckpointRecordKind.manifest.name, found: decoded.kindName))
        }
    }

    private func manifest(of task: TaskID, at offset: Int64, via: CheckpointRecordRole) throws -> CheckpointManifest {
        switch try target(of: task, at: offset, via: via) {
        case .manifest(let manifest):
            return manifest
        case .reset:
            throw CheckpointError.unreadable(
                job: jobName, task: task, split: topics.checkpointSplit(of: task), offset: offset, via: via,
                reason: .wrongKind(expected: CheckpointRecordKind.manifest.name, found: CheckpointRecordKind.reset.name))
        }
    }
}

/// A worker's checkpoint log read as a ``CheckpointRecordReader``: it reads the same way.
private struct LogReader: CheckpointRecordReader {
    let log: any CheckpointLog

    func read(_ split: Split, from: Int64, through: Int64) throws -> [CheckpointLogRecord] {
        try log.read(split, from: from, through: through)
    }

    func readToEnd(_ split: Split, from: Int64) throws -> [CheckpointLogRecord] {
        try log.readToEnd(split, from: from)
    }
}
