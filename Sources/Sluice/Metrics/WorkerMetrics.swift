import CoreMetrics

/// The metrics of one worker of a job: its checkpoints, commits, rebalances and restarts, and
/// the factory its tasks' metrics (``TaskMetrics``) come from. Created once per worker; every
/// call comes from the driver thread.
final class WorkerMetrics {
    private let factory: any MetricsFactory
    private let dimensions: [(String, String)]
    private let checkpoints: CoreMetrics.Counter
    private let aborted: CoreMetrics.Counter
    private let checkpointDuration: CoreMetrics.Timer
    private let checkpointBytes: CoreMetrics.Counter
    private let lastCheckpointBytes: Gauge
    private let commitLatency: CoreMetrics.Timer
    private let restarts: CoreMetrics.Counter
    private var rebalancePauses: [RebalanceEvent.Change: CoreMetrics.Timer] = [:]

    /// The metrics of worker `worker` of job `job`, made by `factory`.
    init(job: String, worker: String, factory: any MetricsFactory) {
        self.factory = factory
        dimensions = [("job", job), ("worker", worker)]
        checkpoints = CoreMetrics.Counter(label: MetricName.checkpoints, dimensions: dimensions, factory: factory)
        aborted = CoreMetrics.Counter(label: MetricName.checkpointsAborted, dimensions: dimensions, factory: factory)
        checkpointDuration = CoreMetrics.Timer(label: MetricName.checkpointDuration, dimensions: dimensions, factory: factory)
        checkpointBytes = CoreMetrics.Counter(label: MetricName.checkpointBytes, dimensions: dimensions, factory: factory)
        lastCheckpointBytes = Gauge(label: MetricName.lastCheckpointBytes, dimensions: dimensions, factory: factory)
        commitLatency = CoreMetrics.Timer(label: MetricName.commitLatency, dimensions: dimensions, factory: factory)
        restarts = CoreMetrics.Counter(label: MetricName.restarts, dimensions: dimensions, factory: factory)
        for change in [RebalanceEvent.Change.assigned, .revoked, .lost] {
            rebalancePauses[change] = CoreMetrics.Timer(
                label: MetricName.rebalancePause, dimensions: dimensions + [("change", "\(change)")], factory: factory)
        }
    }

    /// The metrics of a task being built.
    func task(_ id: TaskID, split: Split?, readsSource: Bool) -> TaskMetrics {
        TaskMetrics(task: id, split: split, readsSource: readsSource, worker: dimensions, factory: factory)
    }

    /// A checkpoint committed.
    func checkpointCommitted(_ report: CheckpointReport) {
        checkpoints.increment()
        checkpointDuration.recordNanoseconds(report.duration.nanoseconds)
        checkpointBytes.increment(by: report.bytes)
        lastCheckpointBytes.record(report.bytes)
    }

    /// A transaction was aborted.
    func checkpointAborted() {
        aborted.increment()
    }

    /// The commit point committed, in `duration`.
    func committed(in duration: Duration) {
        commitLatency.recordNanoseconds(duration.nanoseconds)
    }

    /// The worker handled a change of its assignment.
    func rebalanced(_ change: RebalanceEvent.Change, pause: Duration) {
        rebalancePauses[change]?.recordNanoseconds(pause.nanoseconds)
    }

    /// The worker restarts after a recoverable failure.
    func restarted() {
        restarts.increment()
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min : .max) : whole &+ attoseconds / 1_000_000_000
    }
}
