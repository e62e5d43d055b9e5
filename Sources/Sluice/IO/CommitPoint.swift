/// Makes a job's progress durable: source positions (and, for exactly-once, task snapshots and
/// sink outputs) in one step.
///
/// ## How the runtime drives a commit point
///
/// All calls happen on the driver thread while no task runs.
///
/// 1. ``begin()`` once at start and again after every ``commit(_:)``; at-least-once commit
///    points do nothing, a transactional one begins the Kafka transaction that the sinks'
///    writes of the next interval belong to.
/// 2. At every commit interval, on revoke and at stop: every sink's ``Sink/flush()``, then
///    ``commit(_:)`` with the positions of fully handled records.
/// 3. ``abort()`` when a batch failed after sinks may have received part of its output; the
///    runtime then stops (at-least-once) or rewinds to the last commit (exactly-once).
///
/// ``committedPositions(for:)`` lets the runtime and operators read back what was committed,
/// for instance to seek on assignment or to verify a restore.
public protocol CommitPoint: AnyObject {
    /// Starts a commit interval.
    func begin() throws

    /// Durably records `commit`. Positions only ever move forward per split.
    func commit(_ commit: Commit) throws

    /// Abandons the current interval's uncommitted work.
    func abort() throws

    /// The positions last committed for `splits`; splits never committed are absent.
    func committedPositions(for splits: [Split]) throws -> [Split: Int64]
}

extension CommitPoint {
    /// Does nothing, for commit points without transactions.
    public func begin() throws {}

    /// Does nothing, for commit points without transactions.
    public func abort() throws {}
}
