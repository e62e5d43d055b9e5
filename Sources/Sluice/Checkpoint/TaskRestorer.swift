/// Rebuilds a task from the checkpoint its committed pointer names: reads the manifest just
/// before the pointer, then exactly the pieces the manifest lists, by offset, and hands their
/// contents to the task's freshly built participants.
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

    /// The manifest at `pointer - 1` of `split`; throws ``CheckpointError/unreadable(job:task:split:offset:reason:)``
    /// when there is none, it is damaged, or it belongs to another task or job.
    func manifest(of task: TaskID, in split: Split, pointer: Int64) throws -> CheckpointManifest {
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
