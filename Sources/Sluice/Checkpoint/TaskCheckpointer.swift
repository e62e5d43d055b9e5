import Foundation

/// Writes one task's checkpoints into its partition of the checkpoint topic and keeps its chain
/// of snapshot pieces: a full snapshot, then increments holding only the keys changed since the
/// previous checkpoint, until the next full snapshot starts a new chain.
///
/// A checkpoint of the task takes three steps inside the worker's transaction, driven by
/// ``CheckpointCoordinator``:
/// 1. ``stagePieces(participants:position:mustCheckpoint:log:)`` snapshots the task's
///    participants and appends the pieces; the coordinator then flushes, which gives their
///    offsets;
/// 2. ``appendManifest(lineage:preCommitted:log:)`` appends the manifest naming every piece the state is
///    rebuilt from; the coordinator flushes again, which gives the manifest's offset and so the
///    checkpoint pointer (``stagedPointer``) it commits with the transaction;
/// 3. ``committed()`` once the transaction committed: the staged chain becomes the task's, and
///    the next transaction confirms the checkpoint and tombstones records no committed manifest
///    needs any more (``openTransaction(log:)``), so compaction can reclaim them.
///
/// Record keys name (task, chain, piece) and (task, chain, manifest sequence). A retry after an
/// abort rewrites the same keys, and no write ever reuses the key of a record that a committed
/// manifest still names, so compaction never removes what a restore needs.
final class TaskCheckpointer {
    /// A chain of pieces: a full snapshot and the increments after it.
    struct Chain {
        var id: UInt64
        var startSequence: UInt64
        var pieceOffsets: [Int64]
        var bytes: UInt64
        /// Bytes of the full snapshot that started the chain (after a restore: of the whole
        /// chain, an upper bound).
        var fullBytes: UInt64
        var increments: Int
        /// The sequence of the chain's latest committed manifest.
        var lastSequence: UInt64
    }

    /// Everything written for the checkpoint in progress.
    private struct Staged {
        var chain: Chain
        var isFull: Bool
        var receipts: [CheckpointReceipt]
        var bytes: UInt64
        var entries: UInt64
        var scalars: [CheckpointManifest.ScalarState]
        var position: Int64?
        var manifest: CheckpointManifest?
        var manifestReceipt: CheckpointReceipt?
    }

    /// Below this size a full snapshot does not bound the chain by bytes.
    private static let significantFullSnapshot: UInt64 = 1 << 20

    let task: TaskID
    /// The task's partition of its stage's checkpoint topic.
    let split: Split
    private let jobName: String
    private let writer: String
    private let input: Split?
    private let fullSnapshotInterval: Int
    private(set) var chain: Chain?
    private var lastScalars: [CheckpointManifest.ScalarState]?
    private var lastPosition: Int64?
    private var staged: Staged?
    private var obsoleteKeys: [[UInt8]] = []
    /// The checkpoint committed last, to confirm at the start of the next transaction.
    private var unconfirmed: CheckpointConfirmation?

    /// - Parameters:
    ///   - restored: the manifest the task was restored from, whose chain it continues.
    ///   - fullSnapshotInterval: every how many checkpoints a full snapshot starts a new chain.
    init(task: TaskID, split: Split, jobName: String, writer: String, input: Split?, fullSnapshotInterval: Int,
         restored: CheckpointManifest?) {
        self.task = task
        self.split = split
        self.jobName = jobName
        self.writer = writer
        self.input = input
        self.fullSnapshotInterval = max(1, fullSnapshotInterval)
        if let restored {
            chain = Chain(
                id: restored.chain, startSequence: restored.chainStartSequence, pieceOffsets: restored.pieceOffsets,
                bytes: restored.chainBytes, fullBytes: restored.fullSnapshotBytes,
                increments: Int(restored.sequence - restored.chainStartSequence), lastSequence: restored.sequence)
            lastScalars = restored.scalars
            lastPosition = restored.inputPosition
        }
    }

    /// Snapshots `participants` and appends the pieces to the log. Returns whether the task
    /// checkpoints at all: a task that read nothing, wrote nothing (`mustCheckpoint` is `false`)
    /// and changed no state since its last checkpoint keeps its pointer, unless it never
    /// checkpointed.
    func stagePieces(participants: [any CheckpointParticipant], position: Int64?, mustCheckpoint: Bool,
                     log: any CheckpointLog) throws -> Bool {
        precondition(staged == nil, "a checkpoint of \(task) is already in progress")
        let full = chain.map { chain in
            // A chain whose increments outweigh its full snapshot several times over mostly
            // rewrites the same keys: a new full snapshot makes restores read less. Small full
            // snapshots (a task that started empty) do not count, or every increment of a growing
            // state would start a new chain.
            let incrementBytes = chain.bytes - chain.fullBytes
            return chain.increments + 1 >= fullSnapshotInterval
                || (chain.fullBytes >= Self.significantFullSnapshot && incrementBytes > 4 * chain.fullBytes)
        } ?? true
        var scalars: [CheckpointManifest.ScalarState] = []
        var pieces = SnapshotPieceWriter()
        for participant in participants {
            if let bytes = try participant.snapshotScalar() {
                scalars.append(.init(participant: participant.checkpointID, bytes: bytes))
            }
            try participant.snapshotKeyed(changesOnly: !full) { entry in
                pieces.add(entry, of: participant.checkpointID)
            }
        }
        let entries = pieces.entryCount
        let encoded = pieces.finish()
        let unchanged = chain != nil && entries == 0 && !mustCheckpoint && scalars == lastScalars && position == lastPosition
        if unchanged && !full { return false }
        var next: Chain
        if full {
            var generator = SystemRandomNumberGenerator()
            next = Chain(id: generator.next(), startSequence: 0, pieceOffsets: [], bytes: 0, fullBytes: 0, increments: 0, lastSequence: 0)
        } else {
            next = chain!
            next.increments += 1
        }
        var receipts: [CheckpointReceipt] = []
        var bytes: UInt64 = 0
        for piece in encoded {
            let number = next.pieceOffsets.count + receipts.count
            receipts.append(try log.append(to: split, key: pieceKey(chain: next.id, piece: number), value: piece))
            bytes += UInt64(piece.count)
        }
        staged = Staged(
            chain: next, isFull: full, receipts: receipts, bytes: bytes, entries: entries, scalars: scalars,
            position: position, manifest: nil, manifestReceipt: nil)
        return true
    }

    /// Appends the manifest of the staged checkpoint, with what the task's two-phase-commit
    /// participants pre-committed; the log was flushed since
    /// ``stagePieces(participants:position:mustCheckpoint:log:)``, so the pieces' offsets are known.
    func appendManifest(lineage: TaskLineage, preCommitted: [CheckpointManifest.ScalarState], log: any CheckpointLog) throws {
        guard var current = staged else { preconditionFailure("no checkpoint of \(task) is staged") }
        let sequence = lineage.currentSequence
        for receipt in current.receipts {
            guard let offset = receipt.offset else {
                throw CheckpointError.unconfirmedWrite("a snapshot piece of \(task) in \(split)")
            }
            current.chain.pieceOffsets.append(offset)
        }
        current.chain.bytes += current.bytes
        if current.isFull {
            current.chain.startSequence = sequence
            current.chain.fullBytes = current.bytes
        }
        current.chain.lastSequence = sequence
        let manifest = CheckpointManifest(
            jobName: jobName, task: task, sequence: sequence, incarnation: lineage.incarnation,
            createdAt: Int64(Date().timeIntervalSince1970 * 1000), writer: writer, isFull: current.isFull,
            chain: current.chain.id, chainStartSequence: current.chain.startSequence,
            pieceOffsets: current.chain.pieceOffsets, chainBytes: current.chain.bytes,
            fullSnapshotBytes: current.chain.fullBytes, checkpointBytes: current.bytes,
            checkpointEntries: current.entries, input: input, inputPosition: current.position, scalars: current.scalars,
            preCommitted: preCommitted)
        current.manifestReceipt = try log.append(
            to: split, key: manifestKey(chain: current.chain.id, sequence: sequence), value: manifest.encoded())
        current.manifest = manifest
        staged = current
    }

    /// The offset after the staged manifest, known once the log was flushed after
    /// ``appendManifest(lineage:preCommitted:log:)``: what the transaction commits as the task's pointer.
    func stagedPointer() throws -> Int64 {
        guard let offset = staged?.manifestReceipt?.offset else {
            throw CheckpointError.unconfirmedWrite("the manifest of \(task) in \(split)")
        }
        return offset + 1
    }

    /// Bytes of the pieces staged for the checkpoint in progress.
    var stagedBytes: Int { Int(staged?.bytes ?? 0) }

    /// The staged manifest, for reports; `nil` when nothing is staged.
    var stagedManifest: CheckpointManifest? { staged?.manifest }

    /// The transaction holding the staged checkpoint committed: it is now the task's, and what
    /// it replaced is queued for tombstones.
    func committed() {
        guard let current = staged, let manifest = current.manifest else { return }
        if let previous = chain {
            if current.isFull {
                obsoleteKeys += (0..<previous.pieceOffsets.count).map { pieceKey(chain: previous.id, piece: $0) }
                obsoleteKeys += (previous.startSequence...previous.lastSequence).map { manifestKey(chain: previous.id, sequence: $0) }
            } else {
                obsoleteKeys.append(manifestKey(chain: previous.id, sequence: previous.lastSequence))
            }
        }
        chain = current.chain
        lastScalars = current.scalars
        lastPosition = manifest.inputPosition
        if let offset = current.manifestReceipt?.offset {
            unconfirmed = CheckpointConfirmation(
                task: task, sequence: manifest.sequence, incarnation: manifest.incarnation, manifestOffset: offset)
        }
        staged = nil
    }

    /// The transaction aborted; the task is rebuilt from its last committed checkpoint.
    func aborted() {
        staged = nil
    }

    /// Opens a transaction for the task: confirms its last committed checkpoint (see
    /// ``CheckpointConfirmation``) and writes tombstones for records no committed manifest names
    /// any more. Returns whether it wrote anything.
    func openTransaction(log: any CheckpointLog) throws -> Bool {
        var wrote = false
        if let confirmation = unconfirmed {
            _ = try log.append(to: split, key: confirmation.key, value: confirmation.encoded())
            unconfirmed = nil
            wrote = true
        }
        for key in obsoleteKeys { _ = try log.append(to: split, key: key, value: nil) }
        wrote = wrote || !obsoleteKeys.isEmpty
        obsoleteKeys = []
        return wrote
    }

    private func pieceKey(chain: UInt64, piece: Int) -> [UInt8] {
        Array("\(task.stage).\(task.partition)/\(String(chain, radix: 16))/p\(piece)".utf8)
    }

    private func manifestKey(chain: UInt64, sequence: UInt64) -> [UInt8] {
        Array("\(task.stage).\(task.partition)/\(String(chain, radix: 16))/m\(sequence)".utf8)
    }
}
