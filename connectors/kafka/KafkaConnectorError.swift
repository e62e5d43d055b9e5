import Sluice

/// A condition of Sluice's Kafka connector itself: something librdkafka did not report, so it
/// carries no librdkafka code (those are `KafkaError`s, made only from what librdkafka returned).
public enum KafkaConnectorError: ConnectorError, CustomStringConvertible, Equatable, Sendable {
    /// A second source was asked of one ``KafkaRuntime``; a job reads all its Kafka topics
    /// through one source.
    case secondSource
    /// `what` (a source or the sinks) was used while its runtime has no open worker, that is
    /// outside a run of its job.
    case notRunning(String)
    /// A `SinkRecord` names no topic and its sink has no default topic.
    case recordWithoutTopic
    /// An internal topic exists with another partition count than the job's plan needs.
    case internalTopicPartitions(topic: String, partitions: Int, needed: Int)
    /// A checkpoint's transaction was being committed when the brokers at `bootstrap` stopped
    /// answering, and stayed away past the retry budget: whether it committed is unknown, so
    /// the worker stops rather than guess, and a restart resumes from what Kafka committed.
    case transactionOutcomeUnknown(bootstrap: String, reason: String)
    /// `what` was asked of the consumer while librdkafka ran its rebalance callback, where
    /// nothing of the engine may run: a defect of the caller, never of the input.
    case insideRebalanceCallback(String)

    /// Retrying helps with none of them: the job's definition, its use of the runtime or an
    /// existing topic has to change. A record without a topic fails only that record: the sink
    /// hands it to the job's bad-input policy as `RecordRejected`.
    public var isFatal: Bool {
        switch self {
        case .secondSource, .notRunning, .internalTopicPartitions, .insideRebalanceCallback, .transactionOutcomeUnknown: true
        case .recordWithoutTopic: false
        }
    }

    /// One line saying what happened and, where there is one, the fix.
    public var description: String {
        switch self {
        case .secondSource:
            "a KafkaRuntime has one source per job: read several topics with one source, kafka.source(topics: [\"a\", \"b\"])"
        case .notRunning(let what):
            "\(what) can be used only while the job runs (its KafkaRuntime has no open worker)"
        case .recordWithoutTopic:
            "a sink record names no topic and its Kafka sink has no default topic: set SinkRecord.topic, or make the sink with kafka.sink(topic:)"
        case .internalTopicPartitions(let topic, let partitions, let needed):
            "internal topic \(topic) has \(partitions) partitions, the job's plan needs \(needed)"
        case .transactionOutcomeUnknown(let bootstrap, let reason):
            "cannot reach Kafka at \(bootstrap) to finish committing a checkpoint (\(reason)); whether it committed is unknown, so the worker stops: start it again to resume from what Kafka committed"
        case .insideRebalanceCallback(let what):
            "\(what) inside the consumer's rebalance callback: the worker acts on a rebalance only after the poll that reported it"
        }
    }
}
