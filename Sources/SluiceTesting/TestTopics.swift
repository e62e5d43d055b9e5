/// The topics a job under test reads and writes, handed to the job definition in place of a
/// Kafka runtime's `source(topics:)` and `sink(topic:)`.
///
/// ```swift
/// let driver = TestDriver { env, topics in
///     env.fromSource(try topics.source(topics: ["sentences"]), deserializer: UTF8StringCodec())
///         .map { $0.uppercased() }
///         .sink(to: topics.sink(topic: "shouts"), serializer: UTF8StringCodec())
/// }
/// ```
public final class TestTopics {
    private let store: TopicStore
    private let lockstep: Lockstep
    private(set) var sources: [TestTopicSource] = []

    init(store: TopicStore, lockstep: Lockstep) {
        self.store = store
        self.lockstep = lockstep
    }

    /// A source over input topics the test declared with ``TestDriver/input(_:partitions:serializer:)``;
    /// an undeclared topic is an error naming it.
    public func source(topics: [String]) throws -> TestTopicSource {
        for topic in topics where store.partitionCount(topic) == nil {
            throw TestDriverError.undeclaredTopic(topic)
        }
        let source = TestTopicSource(topics: topics, store: store, lockstep: lockstep)
        sources.append(source)
        return source
    }

    /// A sink into `topic`, which the test reads with ``TestDriver/output(_:deserializer:)``.
    public func sink(topic: String) -> TestTopicSink {
        TestTopicSink(topic: topic, store: store)
    }
}
