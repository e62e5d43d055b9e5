/// What a ``PostgresSink`` promises, at most what the job promises
/// (``SinkTaskContext/guarantee``): a job run at-least-once gets an at-least-once sink whatever
/// this says.
public enum PostgresSinkGuarantee: String, Sendable, Hashable {
    /// Each task's rows of a checkpoint go into one transaction that is `PREPARE TRANSACTION`'d
    /// under the checkpoint attempt's name, recorded in the task's checkpoint manifest, and
    /// committed (`COMMIT PREPARED`) once the job's Kafka transaction committed: every row once.
    /// Needs `max_prepared_transactions` above 0 on the server; the sink refuses to start
    /// otherwise.
    case exactlyOnce = "exactly-once"
    /// Each task's rows of a checkpoint are committed before the job commits its input
    /// positions: after a crash the rows since the last checkpoint are written again (an
    /// ``PostgresWriteMode/upsert(key:)`` makes that harmless). Works on servers without prepared
    /// transactions, as many managed services are.
    case atLeastOnce = "at-least-once"
}
