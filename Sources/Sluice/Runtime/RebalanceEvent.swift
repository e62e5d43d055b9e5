/// One change of a worker's assignment, as its membership reported it (for Kafka: one
/// rebalance callback of the consumer group), reported to
/// ``JobConfiguration/rebalanceObserver`` on the driver thread once the worker has acted on it.
///
/// With the cooperative-sticky strategy a rebalance takes from and gives to each member only
/// the splits that move, while every other split keeps being processed between the rounds:
/// the worker's processing stands still only for ``pause``, the time it spent handling the
/// change (a checkpoint before a revoke, restores on an assignment, the rewind after a loss).
/// A member whose splits do not move may still hear an empty change (``isEmpty``); its pause
/// is then only the bookkeeping.
public struct RebalanceEvent: Sendable {
    /// What happened to the worker's splits.
    public enum Change: Sendable, Equatable {
        /// The worker was given these splits and built their tasks, restoring each from its
        /// committed checkpoint (exactly-once).
        case assigned
        /// The worker gave these splits up in an orderly hand-over: it checkpointed first, so the
        /// next owner resumes exactly there.
        case revoked
        /// The group took these splits away without a hand-over (the worker's session expired):
        /// the worker aborted its open transaction and rewound its other tasks.
        case lost
    }

    /// How many assignment changes this worker has handled, this one included: 1, 2, 3, …
    public var number: Int
    /// What happened to ``splits``.
    public var change: Change
    /// The splits assigned, revoked or lost, sorted; empty when the group told the worker that
    /// nothing of its own moved.
    public var splits: [Split]
    /// Tasks rebuilt from a committed checkpoint while handling the change: the new splits'
    /// tasks on an assignment, every rewound task after a loss.
    public var tasksRestored: Int
    /// Bytes of snapshot pieces those restores read.
    public var bytesRestored: Int
    /// Whether a checkpoint (exactly-once) or a commit of positions (at-least-once) was
    /// committed while handling the change: an orderly revoke commits before letting go unless
    /// nothing changed since the last checkpoint.
    public var committed: Bool
    /// How long this worker's processing stood still for the change: from the moment the
    /// membership reported it until the worker could run its next round.
    public var pause: Duration
    /// How many splits the worker owns after the change.
    public var ownedSplits: Int

    /// A change that moved no split of this worker.
    public var isEmpty: Bool { splits.isEmpty }

    /// Creates an event; the runtime makes them, tests and adapters may too.
    public init(number: Int, change: Change, splits: [Split], tasksRestored: Int, bytesRestored: Int, committed: Bool,
                pause: Duration, ownedSplits: Int) {
        self.number = number
        self.change = change
        self.splits = splits
        self.tasksRestored = tasksRestored
        self.bytesRestored = bytesRestored
        self.committed = committed
        self.pause = pause
        self.ownedSplits = ownedSplits
    }
}
