import RdKafka
import Sluice

/// Carries a distributed job's `keyBy` exchanges over Kafka repartition topics: creates them with
/// the partition count the plan gives, and writes their records through the worker's producer,
/// inside its transaction when the job is exactly-once. The job's ``KafkaSource`` reads them back
/// as a member of the job's group.
///
/// Thread-safe: tasks write concurrently; the runtime flushes it before every commit.
final class KafkaExchangeTransport: DistributedExchangeTransport, Sendable {
    private let producer: WorkerProducer
    private let topics: InternalTopicAdmin
    private let topicConfig: [String: String]

    init(producer: WorkerProducer, topics: InternalTopicAdmin, topicConfig: [String: String]) {
        self.producer = producer
        self.topics = topics
        self.topicConfig = topicConfig
    }

    /// Creates the missing topics; throws when one exists with another partition count.
    func ensureTopics(_ topics: [InternalTopic]) throws {
        try self.topics.ensure(topics, config: topicConfig, exact: true)
    }

    /// Enqueues the records, each to its own partition; a record the producer refuses for
    /// itself is reported with its index (``RecordRejected``).
    func write(_ records: [ExchangeRecord], to topic: String) throws {
        for (index, record) in records.enumerated() {
            do {
                try producer.send(
                    topic: topic, partition: record.partition, key: record.key, value: record.value,
                    headers: record.headers, timestamp: record.timestamp)
            } catch let rejection as RecordRejected {
                throw RecordRejected(index: index, underlying: rejection.underlying)
            }
        }
        producer.poll()
    }

    /// Waits for every enqueued record; throws when any was not written.
    func flush() throws {
        try producer.flush()
    }
}
