import Sluice
import SluiceKafka

/// What ``StreamJob/build(_:)`` builds a worker's pipeline with: its environment, its Kafka
/// runtime, and the run's start and end as the command line chose them.
public final class JobContext {
    /// The environment the pipeline is added to: named after the job, running on ``kafka``,
    /// configured from the command line (checkpoint interval). Change its `configuration` for
    /// what the command line does not set, such as the bad-input policy.
    public let environment: StreamEnvironment
    /// This worker's Kafka runtime: its consumer group member and its producer.
    public let kafka: KafkaRuntime
    /// This worker's number in the process, from 0 (`--workers`).
    public let workerIndex: Int

    private let until: EndPosition?
    private let prepare: ([String]) throws -> Void
    /// The topics of the job's Kafka source, once ``source(topics:)`` made it.
    private(set) var inputTopics: [String] = []

    init(
        environment: StreamEnvironment, kafka: KafkaRuntime, workerIndex: Int, until: EndPosition?,
        prepare: @escaping ([String]) throws -> Void = { _ in }
    ) {
        self.environment = environment
        self.kafka = kafka
        self.workerIndex = workerIndex
        self.until = until
        self.prepare = prepare
    }

    /// This worker's stable name (`<worker-id>-<index>`).
    public var workerID: String { kafka.workerID }

    /// The job's Kafka source of `topics`: it starts at the group's committed offsets (which a
    /// `--from` replay has moved) and ends as `--until` says. A job reads all its Kafka
    /// topics through one source.
    public func source(topics: [String]) throws -> KafkaSource {
        try prepare(topics)
        let source = try SourceEnding.source(kafka: kafka, topics: topics, until: until)
        inputTopics = topics
        return source
    }

    /// A sink writing to `topic` (or each record's own topic) through ``kafka``'s producer.
    public func sink(topic: String? = nil) -> KafkaSink {
        kafka.sink(topic: topic)
    }
}
