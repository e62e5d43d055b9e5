/// The names of the metrics a worker reports through swift-metrics, in the conventions Kafka
/// and Flink users read (Prometheus style: `_total` counters, `_seconds` timers).
///
/// Every metric has the dimensions `job` (the job's name) and `worker` (the worker id); task
/// metrics add `task` (`<stage>.<partition>`), partition metrics `topic` and `partition`.
/// Every name has one set of dimensions, as Prometheus wants.
public enum MetricName {
    /// Counter `job, worker, task, topic, partition`: records read from an input partition and
    /// handed to its task (records read again after a rewind to a checkpoint count again).
    public static let sourceRecordsIn = "sluice_source_records_in_total"
    /// Counter `job, worker, task, sink`: records a task handed to a sink and the sink accepted
    /// (under exactly-once, an aborted transaction's records count too).
    public static let sinkRecordsOut = "sluice_sink_records_out_total"
    /// Counter `job, worker, task`: records dropped by the skip policy.
    public static let recordsSkipped = "sluice_records_skipped_total"
    /// Counter `job, worker, task`: records sent to the dead-letter sink.
    public static let recordsDeadLettered = "sluice_records_dead_lettered_total"
    /// Gauge `job, worker, task, topic, partition`: the partition's high watermark as the
    /// consumer last saw it minus the task's position (the offset after its last handled
    /// record), in records; sampled once per checkpoint interval.
    public static let consumerLag = "sluice_consumer_lag_records"
    /// Gauge `job, worker, task, topic, partition`: the high watermark the lag was taken from.
    public static let highWatermark = "sluice_source_high_watermark"
    /// Gauge `job, worker, task, topic, partition`: the task's position the lag was taken from.
    public static let position = "sluice_source_position"
    /// Gauge `job, worker, task`: processing time now minus the task's current event-time
    /// watermark, in seconds; sampled once per checkpoint interval, absent until the task has a
    /// watermark.
    public static let watermarkLag = "sluice_watermark_lag_seconds"
    /// Counter `job, worker`: checkpoints committed (exactly-once).
    public static let checkpoints = "sluice_checkpoints_total"
    /// Counter `job, worker`: transactions aborted (every task then rewinds).
    public static let checkpointsAborted = "sluice_checkpoints_aborted_total"
    /// Timer `job, worker`: from a checkpoint's first snapshot to its committed transaction.
    public static let checkpointDuration = "sluice_checkpoint_duration_seconds"
    /// Counter `job, worker`: bytes of snapshot pieces checkpoints wrote.
    public static let checkpointBytes = "sluice_checkpoint_bytes_total"
    /// Gauge `job, worker`: bytes of snapshot pieces the last committed checkpoint wrote.
    public static let lastCheckpointBytes = "sluice_checkpoint_last_bytes"
    /// Gauge `job, worker, task`: bytes of the task's state as of its last committed
    /// checkpoint: what a restore reads (its full snapshot and the increments since).
    public static let stateBytes = "sluice_task_state_bytes"
    /// Timer `job, worker`: how long the commit point took to commit (the transaction's
    /// commit under exactly-once, the offset commit otherwise).
    public static let commitLatency = "sluice_commit_latency_seconds"
    /// Timer `job, worker, change` (`assigned`, `revoked`, `lost`): how long the worker's
    /// processing stood still for a change of its assignment (``RebalanceEvent/pause``).
    public static let rebalancePause = "sluice_rebalance_pause_seconds"
    /// Counter `job, worker`: restarts after recoverable failures.
    public static let restarts = "sluice_restarts_total"
}
