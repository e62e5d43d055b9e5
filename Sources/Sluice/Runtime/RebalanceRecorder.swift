/// Measures how long a worker stands still for each change of its assignment and reports it
/// as a ``RebalanceEvent``.
///
/// The driver thread handles a change between two rounds, after the poll that reported it, so
/// the time spent in that handling — checkpoint before a revoke, restores on an assignment,
/// abort and rewind after a loss — is exactly the time no task of this worker runs.
final class RebalanceRecorder {
    private let observer: (@Sendable (RebalanceEvent) -> Void)?
    private let clock = ContinuousClock()
    /// Changes handled so far.
    private(set) var count = 0
    /// Their pauses added up.
    private(set) var totalPause: Duration = .zero

    init(observer: (@Sendable (RebalanceEvent) -> Void)?) {
        self.observer = observer
    }

    /// What the worker's counters read before and after a change.
    struct Counters {
        var restoredTasks: Int
        var restoredBytes: Int
        var commits: Int
    }

    /// Runs `handle` (the worker acting on the change), then reports the change with its pause
    /// and what `counters` show it restored and committed. A change whose handling throws is not
    /// reported: the error stops or restarts the worker.
    func record(_ change: RebalanceEvent.Change, _ splits: [Split], counters: () -> Counters, ownedSplits: () -> Int,
                handle: () throws -> Void) rethrows {
        let started = clock.now
        let before = counters()
        try handle()
        let pause = clock.now - started
        let after = counters()
        count += 1
        totalPause += pause
        let event = RebalanceEvent(
            number: count, change: change, splits: splits.sorted(),
            tasksRestored: after.restoredTasks - before.restoredTasks, bytesRestored: after.restoredBytes - before.restoredBytes,
            committed: after.commits > before.commits, pause: pause, ownedSplits: ownedSplits())
        observer?(event)
    }
}
