import Foundation
import Logging
import RdKafka
import Sluice

/// Carries a distributed job's `keyBy` exchanges over Kafka repartition topics: creates them
/// with the partition count the plan gives and writes their records with an idempotent
/// producer. Set it on ``Sluice/StreamEnvironment/exchangeTransport``; the job's
/// ``KafkaSource`` reads the topics back as a member of the job's group.
///
/// Thread-safe: tasks write concurrently; the runtime flushes it with the sinks before every
/// commit, and ``flush()`` throws the first failed delivery, so input positions are never
/// committed past a repartition record that was lost.
public final class KafkaExchangeTransport: DistributedExchangeTransport, Sendable {
    private let output: DeliveryCheckedProducer

    /// The producer writing repartition records.
    public var producer: KafkaProducer { output.producer }
    private let admin: KafkaAdmin
    private let topicConfig: [String: String]

    /// Creates the admin client and the producer.
    ///
    /// - Parameters:
    ///   - producerProperties: any other librdkafka producer property (SASL, SSL, batching).
    ///   - topicConfig: configuration of the topics it creates. Records carry their event time
    ///     as timestamp, so on a broker that deletes by time, give a retention that outlives the
    ///     oldest event time the job reads (Kafka Streams uses `retention.ms=-1`).
    public init(
        bootstrapServers: String, producerProperties: [String: String] = [:], topicConfig: [String: String] = [:],
        logger: Logger = Logger(label: "sluice.kafka.exchange")
    ) throws {
        self.topicConfig = topicConfig
        admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers), logger: logger)
        let options = KafkaSinkOptions(bootstrapServers: bootstrapServers, properties: producerProperties)
        output = try DeliveryCheckedProducer(configuration: options.producerConfiguration, logger: logger)
    }

    /// Creates the missing topics; throws when one exists with another partition count.
    public func ensureTopics(_ topics: [InternalTopic]) throws {
        let existing = Set(try admin.listTopics())
        for topic in topics {
            if !existing.contains(topic.name) {
                // Other workers of the job may create it at the same moment.
                try admin.createTopic(
                    topic.name, partitions: Int32(topic.partitionCount), config: topicConfig, ignoreExisting: true)
            }
            let partitions = try partitionCount(of: topic.name)
            guard partitions == topic.partitionCount else {
                throw KafkaError(
                    code: -186, name: "_INVALID_ARG", message: "repartition topic \(topic.name) has \(partitions) partitions, the job's plan needs \(topic.partitionCount)")
            }
        }
    }

    /// Brokers publish a new topic's metadata a moment after creating it, so a topic just
    /// created may still be unknown for a few seconds.
    private func partitionCount(of topic: String) throws -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                return try admin.describeTopic(topic).partitions.count
            } catch where ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }

    /// Enqueues the records, each to its own partition.
    public func write(_ records: [ExchangeRecord], to topic: String) throws {
        for record in records {
            try output.send(
                topic: topic, partition: record.partition, key: record.key, value: record.value,
                headers: record.headers, timestamp: record.timestamp)
        }
        producer.poll()
    }

    /// Waits for every enqueued record; throws when any was not written.
    public func flush() throws {
        try output.flush()
    }

    /// Flushes what is left, briefly.
    public func close() {
        output.close()
    }
}
