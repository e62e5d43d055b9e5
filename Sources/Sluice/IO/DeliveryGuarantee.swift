/// What a job promises about its output when it fails and restarts, chosen per job through its
/// runtime (SluiceKafka's `KafkaRuntime(…, guarantee:)`).
public enum DeliveryGuarantee: String, Sendable, CaseIterable {
    /// Every result exactly once, as a read_committed consumer sees the output: at each
    /// checkpoint the worker commits its outputs, its input positions and the state of every
    /// task in one Kafka transaction, and recovers from the last one committed.
    case exactlyOnce = "exactly-once"
    /// Every result at least once: outputs are flushed before input positions are committed;
    /// state is not checkpointed, so a restart rebuilds windows from the last committed
    /// positions on, and may repeat output.
    case atLeastOnce = "at-least-once"
    /// No promise: input positions are committed at each interval without waiting for outputs,
    /// so a crash may lose or repeat results.
    case none
}
