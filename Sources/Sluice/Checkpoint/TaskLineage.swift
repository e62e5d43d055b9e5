/// A task's place in its chain of committed checkpoints, as the records it writes to
/// repartition topics name it (see ``RepartitionInbox``).
///
/// Each time a task is created, restored or rewound after an abort it draws a new
/// ``incarnation``; within one incarnation the checkpoint ``sequence`` only grows, since an
/// abort starts a new incarnation. Records written during a transaction carry
/// (``currentSequence``, ``incarnation``); the commit markers of the next transactions name
/// ``lastCommitted``.
final class TaskLineage {
    /// A committed checkpoint: its sequence and the incarnation that committed it.
    typealias Checkpoint = RepartitionInbox.Applied

    let incarnation: UInt64
    /// The task's last committed checkpoint; `nil` while it has none.
    private(set) var lastCommitted: Checkpoint?
    /// Whether the last committed checkpoint was restored rather than committed by this
    /// incarnation: its markers may have been lost in an aborted transaction, so the first
    /// transaction of this incarnation announces it on every partition.
    private(set) var announcesRestoredCheckpoint: Bool

    init(restoring checkpoint: Checkpoint?) {
        var generator = SystemRandomNumberGenerator()
        incarnation = generator.next()
        lastCommitted = checkpoint
        announcesRestoredCheckpoint = checkpoint != nil
    }

    /// The sequence of the checkpoint the current transaction belongs to.
    var currentSequence: UInt64 { (lastCommitted?.sequence ?? 0) + 1 }

    /// The current transaction committed with this task's checkpoint in it.
    func committed() {
        lastCommitted = Checkpoint(sequence: currentSequence, incarnation: incarnation)
    }

    /// The restored checkpoint has been announced in a committed transaction.
    func restoredCheckpointAnnounced() {
        announcesRestoredCheckpoint = false
    }
}
