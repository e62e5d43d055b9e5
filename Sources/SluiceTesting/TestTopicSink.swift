import Sluice

/// The job's sink into an output topic of a ``TestDriver``, as `job.sink(topic:)` is into a
/// Kafka topic. A record with its own ``SinkRecord/topic`` goes to that topic instead.
///
/// Written records are visible to ``TestOutputTopic`` at once, as a non-transactional
/// producer's are. Make it with ``TestTopics/sink(topic:)``.
public final class TestTopicSink: SharedSink {
    /// Byte records, as a Kafka sink takes them.
    public typealias Element = SinkRecord

    /// `test-topic(<topic>)`.
    public let name: String
    private let topic: String
    private let store: TopicStore

    init(topic: String, store: TopicStore) {
        self.topic = topic
        self.store = store
        name = "test-topic(\(topic))"
    }

    /// Appends the records to their topics.
    public func write(_ elements: [SinkRecord]) {
        store.write(elements, defaultTopic: topic)
    }

    /// Does nothing: records are visible as soon as they are written.
    public func flush() {}
}
