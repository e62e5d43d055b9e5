import Sluice
import SluiceKafka

/// The topics of a `run`: Kafka through the worker's runtime, its source ending as `--until`
/// says.
final class KafkaTopicConnector: TopicConnector {
    let kafka: KafkaRuntime
    private let until: EndPosition?

    init(kafka: KafkaRuntime, until: EndPosition?) {
        self.kafka = kafka
        self.until = until
    }

    var workerID: String { kafka.workerID }

    func source(topics: [String]) throws -> any Source<SourceRecord> {
        try SourceEnding.source(kafka: kafka, topics: topics, until: until)
    }

    func sink(topic: String?) -> any Sink<SinkRecord> {
        kafka.sink(topic: topic)
    }
}
