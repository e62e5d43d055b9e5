/// Rebuilds a task from its newest committed checkpoint: finds it from the committed pointer and
/// the confirmations after it (``CheckpointConfirmation``), reads its manifest, then exactly the
/// pieces the manifest lists, by offset, and hands their contents to the task's freshly built
/// participants.
///
/// Every read is by an offset that a committed transaction named, so the restore never depends
/// on the broker hiding records of aborted transactions, which may sit between the pieces.
struct TaskRestorer {
    let jobName: String
    let log: any CheckpointLog

    /// What a restore read.
    struct Outcome {
        var manifest: CheckpointManifest
        var bytesRead: Int
        var entries: Int
    }

    /// A checkpoint to restore: its manifest, the pointer it sits before, and whether the group's
    /// committed pointer named it (else a confirmation proved a newer one committed while the
    /// broker still shows the older pointer).
    struct Located {
        var manifest: CheckpointManifest
        var pointer: Int64
        var namedByGroup: Bool
    }

    /// The newest committed checkpoint of `task`: the one `groupPointer` names, unless a
    /// confirmation after it proves a newer one committed; without a pointer, the newest
    /// confirmed one in the partition. `nil` when the task never committed a checkpoint, or when
    /// its state was reset (``CheckpointReset``) and it committed none since: the task then
    /// starts from empty state at the group's committed input offset.
    func locate(_ task: TaskID, in split: Split, groupPointer: Int64?) throws -> Located? {
        let named = try groupPointer.flatMap { try manifestUnlessReset(of: task, in: split, pointer: $0) }
        let tail: [CheckpointLogRecord]
        do {
            tail = try log.readToEnd(split, from: groupPointer ?? 0)
        } catch {
            throw CheckpointError.unreadable(
                job: jobName, task: task, split: split, offset: groupPointer ?? 0, reason: "reading confirmations: \(error)")
        }
        // Confirmations before a reset belong to the history it ended; sequences start again
        // after it.
        let lastReset = tail.lastIndex { record in
            record.value.flatMap(CheckpointReset.decodeIfReset).map { $0.jobName == jobName && $0.task == task } ?? false
        }
        let current = lastReset.map { tail[($0 + 1)...] } ?? tail[...]
        let newest = current.compactMap { $0.value.flatMap(CheckpointConfirmation.decodeIfConfirmation) }
            .filter { $0.task == task }
            .max { $0.sequence < $1.sequence }
        if let newest, newest.sequence > named?.sequence ?? 0 {
            let proven = try manifest(of: task, in: split, pointer: newest.manifestOffset + 1)
            guard proven.sequence == newest.sequence else {
                throw CheckpointError.unreadable(
                    job: jobName, task: task, split: split, offset: newest.manifestOffset + 1,
                    reason: "a confirmation names checkpoint \(newest.sequence) at offset \(newest.manifestOffset), which holds checkpoint \(proven.sequence)")
            }
            return Located(manifest: proven, pointer: newest.manifestOffset + 1, namedByGroup: false)
        }
        return named.map { Located(manifest: $0, pointer: groupPointer!, namedByGroup: true) }
    }

    /// The manifest at `pointer - 1` of `split`; throws ``CheckpointError/unreadable(job:task:split:offset:reason:)``
    /// when there is none, it is damaged, or it belongs to another task or job.
    func manifest(of task: TaskID, in split: Split, pointer: Int64) throws -> CheckpointManifest {
        try decodeManifest(try record(of: task, in: split, pointer: pointer), of: task, in: split, pointer: pointer)
    }

    /// The manifest at `pointer - 1` of `split`, or `nil` when that record is a reset of this
    /// task; throws as ``manifest(of:in:pointer:)`` does for anything else.
    private func manifestUnlessReset(of task: TaskID, in split: Split, pointer: Int64) throws -> CheckpointManifest? {
        let value = try record(of: task, in: split, pointer: pointer)
        if let reset = CheckpointReset.decodeIfReset(value) {
            guard reset.jobName == jobName, reset.task == task else {
                throw CheckpointError.unreadable(
                    job: jobName, task: task, split: split, offset: pointer,
                    reason: "offset \(pointer - 1) is the reset record of job \(reset.jobName), \(reset.task)")
            }
            return nil
        }
        return try decodeManifest(value, of: task, in: split, pointer: pointer)
    }

    /// The value of the record at `pointer - 1` of `split`.
    private func record(of task: TaskID, in split: Split, pointer: Int64) throws -> [UInt8] {
        func unreadable(_ reason: String) -> CheckpointError {
            .unreadable(job: jobName, task: task, split: split, offset: pointer, reason: reason)
        }
        guard pointer > 0 else { throw unreadable("no record precedes offset \(pointer)") }
        let records: [CheckpointLogRecord]
        do {
            records = try log.read(split, from: pointer - 1, through: pointer - 1)
        } catch {
            throw unreadable("reading offset \(pointer - 1): \(error)")
        }
        guard let record = records.first(where: { $0.offset == pointer - 1 }), let value = record.value else {
            throw unreadable("offset \(pointer - 1) holds no record (compacted or deleted?)")
        }
        return value
    }

    private func decodeManifest(_ value: [UInt8], of task: TaskID, in split: Split, pointer: Int64) throws -> CheckpointManifest {
        func unreadable(_ reason: String) -> CheckpointError {
            .unreadable(job: jobName, task: task, split: split, offset: pointer, reason: reason)
        }
        let manifest: CheckpointManifest
        do {
            manifest = try CheckpointManifest.decode(value)
        } catch {
            throw unreadable("offset \(pointer - 1): \(error)")
        }
        guard manifest.jobName == jobName, manifest.task == task else {
            throw unreadable("offset \(pointer - 1) is the manifest of job \(manifest.jobName), \(manifest.task)")
        }
        return manifest
    }

    /// Restores `participants` from `manifest`: scalars first, then every piece's entries in the
    /// manifest's order, then ``CheckpointParticipant/finishRestore()``.
    func restore(_ manifest: CheckpointManifest, into participants: [any CheckpointParticipant], split: Split) throws -> Outcome {
        let byID = Dictionary(participants.map { ($0.checkpointID, $0) }, uniquingKeysWith: { first, _ in first })
        func participant(_ id: String) throws -> any CheckpointParticipant {
            guard let found = byID[id] else {
                throw CheckpointError.unknownOperator(job: jobName, task: manifest.task, participant: id)
            }
            return found
        }
        for scalar in manifest.scalars {
            try participant(scalar.participant).restoreScalar(scalar.bytes)
        }
        var bytesRead = 0
        var entries = 0
        if let first = manifest.pieceOffsets.min(), let last = manifest.pieceOffsets.max() {
            let records: [CheckpointLogRecord]
            do {
                records = try log.read(split, from: first, through: last)
            } catch {
                throw CheckpointError.unreadable(
                    job: jobName, task: manifest.task, split: split, offset: first, reason: "reading snapshot pieces: \(error)")
            }
            var byOffset: [Int64: [UInt8]] = [:]
            for record in records {
                if let value = record.value { byOffset[record.offset] = value }
            }
            for offset in manifest.pieceOffsets {
                guard let piece = byOffset[offset] else {
                    throw CheckpointError.unreadable(
                        job: jobName, task: manifest.task, split: split, offset: offset,
                        reason: "the snapshot piece at offset \(offset) is missing")
                }
                bytesRead += piece.count
                do {
                    try SnapshotPiece.forEachEntry(in: piece) { id, entry in
                        try participant(id).restoreKeyed(entry)
                        entries += 1
                    }
                } catch let error as CheckpointError {
                    throw error
                } catch {
                    throw CheckpointError.unreadable(
                        job: jobName, task: manifest.task, split: split, offset: offset, reason: "snapshot piece: \(error)")
                }
            }
        }
        for participant in participants { try participant.finishRestore() }
        return Outcome(manifest: manifest, bytesRead: bytesRead, entries: entries)
    }
}
