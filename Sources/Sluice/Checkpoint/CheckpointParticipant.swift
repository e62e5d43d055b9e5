/// Something inside a task whose state a checkpoint captures: a keyed operator's state and
/// timers, a window's contents, a watermark generator, a task head's read position.
///
/// Operators register themselves with their task (``TaskContext/register(_:)``) when the chain
/// is built. A checkpoint asks every participant of the task, at a batch boundary on the
/// task's thread, for its small **scalar** state (written whole into every manifest) and its
/// **keyed** entries (all of them for a full snapshot, only those changed since the previous
/// checkpoint for an incremental one). Restoring calls the same participants, freshly built,
/// with what an earlier checkpoint captured, then ``finishRestore()``.
///
/// ## Call order
///
/// Snapshot, for each participant in turn: ``snapshotScalar()``, then
/// ``snapshotKeyed(changesOnly:into:)``. A chain of snapshots starts with a full one
/// (`changesOnly == false`); each incremental one holds the keys changed since the snapshot
/// before it, full or not.
///
/// Restore, on a freshly built chain:
/// 1. ``restoreScalar(_:)`` on every participant that had scalar state, with the scalar state
///    of the checkpoint being restored (the last of its chain);
/// 2. ``restoreKeyed(_:)`` with every keyed entry of the chain in order: the full snapshot's
///    entries, then each increment's. A later entry of a state and key overrides an earlier
///    one; a `nil` payload removes the key;
/// 3. ``finishRestore()`` on every participant, once all of the above is done; only then may
///    records, watermarks or processing time reach the chain.
///
/// Restoring records no change, so an incremental snapshot taken after a restore continues the
/// restored chain.
///
/// ## Change tracking
///
/// Operators track changed keys only when their task checkpoints (``TaskContext/checkpointing``
/// is `true` when the chain is built); otherwise `snapshotKeyed(changesOnly: true, …)` throws
/// ``StateError/changesNotTracked(_:)``. A snapshot that throws may have forgotten some of the
/// changes it was handing out, so after a failed checkpoint the next one must be full (or the
/// task rewinds to its last committed checkpoint).
protocol CheckpointParticipant: AnyObject {
    /// Names the participant within its task, stable across runs of the same job:
    /// `<logical node id>:<role>`.
    var checkpointID: String { get }

    /// Small state kept whole in every manifest (watermarks, generator positions); `nil` when
    /// the participant has none.
    func snapshotScalar() throws -> [UInt8]?

    /// Hands `body` every keyed entry (`changesOnly == false`) or only the keys written or
    /// cleared since the previous call (`changesOnly == true`, cleared keys with a `nil`
    /// payload), and forgets the changes handed out. Participants without keyed state do
    /// nothing.
    func snapshotKeyed(changesOnly: Bool, into body: (KeyedStateEntry) throws -> Void) throws

    /// Restores what ``snapshotScalar()`` returned.
    func restoreScalar(_ bytes: [UInt8]) throws

    /// Applies one entry of a full snapshot or an increment; entries come in the order they
    /// were taken, full snapshot first, after ``restoreScalar(_:)`` and before
    /// ``finishRestore()``.
    func restoreKeyed(_ entry: KeyedStateEntry) throws

    /// Called once after every scalar and keyed entry was restored, for state derived from
    /// the rest (a window operator registers the timers of the windows it restored).
    func finishRestore() throws
}

extension CheckpointParticipant {
    func snapshotScalar() throws -> [UInt8]? { nil }
    func snapshotKeyed(changesOnly: Bool, into body: (KeyedStateEntry) throws -> Void) throws {}
    func restoreScalar(_ bytes: [UInt8]) throws {}
    func restoreKeyed(_ entry: KeyedStateEntry) throws {
        throw StateError.corruptSnapshot("\(checkpointID) has no keyed state, yet a checkpoint holds an entry of '\(entry.state)'")
    }
    func finishRestore() throws {}
}
