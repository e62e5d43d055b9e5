/// Counts from one run of a job.
public struct JobMetrics: Sendable, Equatable {
    /// Records polled from sources.
    public var recordsRead = 0
    /// Records the job's sinks accepted. Under exactly-once, records of a transaction that was
    /// aborted and written again after a restart count twice.
    public var recordsWritten = 0
    /// Records dropped by the skip policy (and window or timer failures under dead-letter).
    public var skippedRecords = 0
    /// Records sent to the dead-letter sink.
    public var deadLetteredRecords = 0
    /// Commits made through the commit point.
    public var commits = 0
    /// Rounds (poll, then every stage) run.
    public var rounds = 0
    /// Restarts after recoverable failures (exactly-once), each a rewind to the last checkpoint.
    public var restarts = 0
    /// Changes of this worker's assignment handled (see ``RebalanceEvent``).
    public var rebalances = 0
    /// How long processing stood still for them, added up (``RebalanceEvent/pause``).
    public var rebalancePause: Duration = .zero
}
