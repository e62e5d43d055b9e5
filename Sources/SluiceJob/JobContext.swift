import Sluice
import SluiceKafka

/// What ``StreamJob/build(_:)`` builds a worker's pipeline with: its environment, where its
/// topics are, and the run's start and end as the command line chose them.
///
/// In a `run` the topics are Kafka's (``kafka``); in `SluiceJobTesting`'s test driver they are an
/// in-memory broker's, with checkpoints, crashes and rebalances under the test's control. A job
/// that reads through ``source(topics:)`` and writes through ``sink(topic:)`` runs on both
/// unchanged.
public final class JobContext {
    /// The environment the pipeline is added to: named after the job, running on the worker's
    /// runtime, configured from the command line (checkpoint interval). Change its
    /// `configuration` for what the command line does not set, such as the bad-input policy.
    public let environment: StreamEnvironment
    /// This worker's Kafka runtime (its consumer group member and its producer) in a `run`;
    /// `nil` when the job runs elsewhere, as in the test kit.
    public let kafka: KafkaRuntime?
    /// This worker's number in the process, from 0 (`--workers`).
    public let workerIndex: Int
    /// Where ``source(topics:)`` and ``sink(topic:)`` lead.
    public let connector: any TopicConnector

    private let prepare: ([String]) throws -> Void
    /// The topics of the job's source, once ``source(topics:)`` made it.
    private(set) var inputTopics: [String] = []

    /// A context whose topics are `connector`'s: how a test kit (or another runtime) runs a
    /// ``StreamJob``.
    public init(environment: StreamEnvironment, connector: any TopicConnector, workerIndex: Int = 0) {
        self.environment = environment
        self.connector = connector
        self.workerIndex = workerIndex
        kafka = nil
        prepare = { _ in }
    }

    init(
        environment: StreamEnvironment, kafka: KafkaRuntime, workerIndex: Int, until: EndPosition?,
        prepare: @escaping ([String]) throws -> Void = { _ in }
    ) {
        self.environment = environment
        self.kafka = kafka
        self.workerIndex = workerIndex
        connector = KafkaTopicConnector(kafka: kafka, until: until)
        self.prepare = prepare
    }

    /// This worker's stable name (`<worker-id>-<index>` in a `run`).
    public var workerID: String { connector.workerID }

    /// The job's source of `topics`: it starts at the group's committed offsets (which a
    /// `--from` replay has moved) and ends as `--until` says. A job reads all its topics
    /// through one source.
    public func source(topics: [String]) throws -> any Source<SourceRecord> {
        try prepare(topics)
        let source = try connector.source(topics: topics)
        inputTopics = topics
        return source
    }

    /// A sink writing to `topic` (or each record's own topic) through the worker's producer.
    public func sink(topic: String? = nil) -> any Sink<SinkRecord> {
        connector.sink(topic: topic)
    }
}
