import CoreMetrics
import Foundation

/// How a job runs: batching, checkpoint cadence, threads, bad-input policy, state, recovery and
/// clock.
public struct JobConfiguration: Sendable {
    /// Records per source poll; each round moves at most this many through the whole job.
    public var batchSize = 4096
    /// How often a worker checkpoints: exactly-once jobs commit outputs, positions and task state
    /// in one transaction; at-least-once jobs flush sinks and commit positions. Exactly-once
    /// output becomes visible to read_committed readers at this pace, once per exchange hop.
    public var checkpointInterval: Duration = .seconds(1)
    /// How long one poll may wait for records.
    public var pollTimeout: Duration = .milliseconds(100)
    /// Threads running tasks; 1 runs every task on the driver thread.
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Partitions (tasks) behind each exchange; by default the largest source partition count.
    public var parallelism: Int?
    /// What to do with records that fail to deserialize or make a function throw.
    public var badInputPolicy: BadInputPolicy = .fail
    /// Where keyed state lives.
    public var stateBackend: any StateBackend = MemoryStateBackend()
    /// Where processing time comes from.
    public var clock: any ProcessingTimeClock = SystemClock()
    /// How an exactly-once worker recovers from connector failures: by default it retries with
    /// exponential backoff from 1 s to 30 s and gives up after 10 restarts in a row without a
    /// successful checkpoint.
    public var restartStrategy: RestartStrategy = .exponentialBackoff(
        initialDelay: .seconds(1), maxDelay: .seconds(30), maxAttempts: 10)
    /// Every how many checkpoints a task writes a full snapshot and starts a new chain; in
    /// between it writes only the keys changed since its previous checkpoint. A full snapshot
    /// also starts when the increments outgrow the last full snapshot twice over.
    public var fullSnapshotInterval = 10
    /// An explicit operator decision: a task whose committed checkpoint cannot be read, or
    /// whose checkpoint disagrees with the group's committed input offset (moved by hand),
    /// starts from empty state at the group's committed offset, logging that it did, instead of
    /// stopping the job. Off by default: state is never dropped silently.
    public var resetsUnreadableState = false
    /// How often a running worker logs its one-line status at info level (records/s in and out
    /// since the previous line, its last checkpoint and that checkpoint's age, see
    /// ``StatusLine``); `nil` logs none.
    public var statusInterval: Duration? = .seconds(10)
    /// Told, on the driver thread, of the worker's checkpoint and recovery events: for logs,
    /// metrics and tests.
    public var checkpointObserver: (@Sendable (CheckpointEvent) -> Void)?
    /// Told, on the driver thread, of every split the worker owns after each change of its
    /// assignment.
    public var assignmentObserver: (@Sendable (Set<Split>) -> Void)?
    /// Told, on the driver thread, of every change of the worker's assignment once the worker
    /// has acted on it: the splits assigned, revoked or lost, what was restored and committed,
    /// and how long processing stood still for it (``RebalanceEvent/pause``).
    public var rebalanceObserver: (@Sendable (RebalanceEvent) -> Void)?
    /// Where the worker's metrics (``MetricName``) go; `nil` uses swift-metrics' global
    /// `MetricsSystem.factory`, which discards them until a backend is bootstrapped.
    public var metricsFactory: (any MetricsFactory)?

    /// The defaults listed above; set the properties you need to change.
    public init() {}
}
