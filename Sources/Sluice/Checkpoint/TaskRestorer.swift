/// Rebuilds a task from a committed checkpoint that ``CheckpointLocator`` found: reads exactly
/// the pieces its manifest lists, by offset, and hands their contents to the task's freshly
/// built participants.
///
/// Every read is by an offset that a committed transaction named, so the restore never depends
/// on the broker hiding records of aborted transactions, which may sit between the pieces. A
/// piece that is missing or cannot be applied is ``CheckpointError/unreadable(job:task:split:offset:via:reason:)``;
/// a read that fails is the log's own error, unchanged, since a retry may succeed.
struct TaskRestorer {
    let jobName: String
    let log: any CheckpointLog

    /// What a restore read.
    struct Outcome {
        var manifest: CheckpointManifest
        var bytesRead: Int
        var entries: Int
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
            var byOffset: [Int64: [UInt8]?] = [:]
            for record in try log.read(split, from: first, through: last) {
                byOffset[record.offset] = record.value
            }
            for offset in manifest.pieceOffsets {
                func unreadable(_ reason: CheckpointRecordDefect) -> CheckpointError {
                    .unreadable(
                        job: jobName, task: manifest.task, split: split, offset: offset, via: .piece(sequence: manifest.sequence),
                        reason: reason)
                }
                guard let found = byOffset[offset] else { throw unreadable(.absent) }
                guard let piece = found else { throw unreadable(.tombstone) }
                bytesRead += piece.count
                do {
                    try SnapshotPiece.forEachEntry(in: piece) { id, entry in
                        try participant(id).restoreKeyed(entry)
                        entries += 1
                    }
                } catch let error as CheckpointError {
                    throw error
                } catch let error as CheckpointFormatError {
                    throw unreadable(.undecodable(error))
                } catch {
                    throw unreadable(.damagedPiece("\(error)"))
                }
            }
        }
        for participant in participants { try participant.finishRestore() }
        return Outcome(manifest: manifest, bytesRead: bytesRead, entries: entries)
    }
}
