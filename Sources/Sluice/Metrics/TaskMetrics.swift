import CoreMetrics

/// The metrics of one task, created once when the task is built: counters the driver adds to
/// once per round (never per record), gauges it sets once per checkpoint interval.
///
/// Gauges are created when their first value is known and destroyed with the task, so a task
/// that left the worker leaves no stale lag behind; counters stay, as Prometheus expects.
final class TaskMetrics {
    let task: TaskID
    let split: Split?
    private let factory: any MetricsFactory
    private let base: [(String, String)]
    private let partition: [(String, String)]
    private let recordsIn: CoreMetrics.Counter?
    private let skipped: CoreMetrics.Counter
    private let deadLettered: CoreMetrics.Counter
    private var reportedSkipped = 0
    private var reportedDeadLettered = 0
    private var lag: (lag: Gauge, end: Gauge, position: Gauge)?
    private var watermarkLag: Gauge?
    private var stateBytes: Gauge?

    /// `readsSource`: whether the task reads an input split (rather than a repartition topic),
    /// whose records count as records in.
    init(task: TaskID, split: Split?, readsSource: Bool, worker: [(String, String)], factory: any MetricsFactory) {
        self.task = task
        self.split = split
        self.factory = factory
        let base = worker + [("task", "\(task.stage).\(task.partition)")]
        let partition = split.map { base + [("topic", $0.topic), ("partition", String($0.partition))] } ?? base
        self.base = base
        self.partition = partition
        recordsIn = readsSource && split != nil
            ? CoreMetrics.Counter(label: MetricName.sourceRecordsIn, dimensions: partition, factory: factory) : nil
        skipped = CoreMetrics.Counter(label: MetricName.recordsSkipped, dimensions: base, factory: factory)
        deadLettered = CoreMetrics.Counter(label: MetricName.recordsDeadLettered, dimensions: base, factory: factory)
    }

    /// A counter of the records this task hands to `sink`, made while its chain is built.
    func sinkCounter(_ sink: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: MetricName.sinkRecordsOut, dimensions: base + [("sink", sink)], factory: factory)
    }

    /// Adds the records one poll handed to the task.
    func read(_ count: Int) {
        if count > 0 { recordsIn?.increment(by: count) }
    }

    /// Adds what the task's failure handler counted since the last call.
    func noteFailures(skipped total: Int, deadLettered letters: Int) {
        if total > reportedSkipped {
            skipped.increment(by: total - reportedSkipped)
            reportedSkipped = total
        }
        if letters > reportedDeadLettered {
            deadLettered.increment(by: letters - reportedDeadLettered)
            reportedDeadLettered = letters
        }
    }

    /// Sets the consumer lag of the task's split: `end` − `position`, never below zero.
    func setLag(end: Int64, position: Int64) {
        if lag == nil {
            lag = (Gauge(label: MetricName.consumerLag, dimensions: partition, factory: factory),
                   Gauge(label: MetricName.highWatermark, dimensions: partition, factory: factory),
                   Gauge(label: MetricName.position, dimensions: partition, factory: factory))
        }
        lag!.lag.record(max(0, end - position))
        lag!.end.record(end)
        lag!.position.record(position)
    }

    /// Sets how far the task's watermark trails processing time.
    func setWatermarkLag(milliseconds: Int64) {
        if watermarkLag == nil {
            watermarkLag = Gauge(label: MetricName.watermarkLag, dimensions: base, factory: factory)
        }
        watermarkLag!.record(Double(milliseconds) / 1000)
    }

    /// Sets the bytes a restore of the task's last committed checkpoint reads.
    func setStateBytes(_ bytes: UInt64) {
        if stateBytes == nil {
            stateBytes = Gauge(label: MetricName.stateBytes, dimensions: base, factory: factory)
        }
        stateBytes!.record(Int64(clamping: bytes))
    }

    /// Destroys the task's gauges: it left the worker, or is being rebuilt.
    func close() {
        lag?.lag.destroy()
        lag?.end.destroy()
        lag?.position.destroy()
        watermarkLag?.destroy()
        stateBytes?.destroy()
        lag = nil
        watermarkLag = nil
        stateBytes = nil
    }
}
