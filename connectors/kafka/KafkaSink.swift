import Logging
import RdKafka
import Sluice
import Synchronization

/// Writes ``SinkRecord``s to Kafka through an idempotent producer.
///
/// ``write(_:)`` only enqueues; ``flush()`` waits for every delivery and throws the first
/// failed one, naming topic and partition, so the runtime never commits source positions
/// past output that was lost. Thread-safe: tasks write concurrently.
public final class KafkaSink: Sink, Sendable {
    /// Kafka records: topic, partition, key, value, headers and timestamp.
    public typealias Element = SinkRecord

    private let output: DeliveryCheckedProducer
    private let defaultTopic: String?

    /// The producer, shared with an exactly-once commit point in later versions.
    public var producer: KafkaProducer { output.producer }

    /// Creates the producer.
    public init(options: KafkaSinkOptions, logger: Logger = Logger(label: "sluice.kafka.sink")) throws {
        defaultTopic = options.topic
        output = try DeliveryCheckedProducer(configuration: options.producerConfiguration, logger: logger)
    }

    /// The default topic, for plans and messages.
    public var name: String { "kafka:\(defaultTopic ?? "<per-record topic>")" }

    /// Enqueues the records.
    public func write(_ elements: [SinkRecord]) throws {
        for record in elements {
            guard let topic = record.topic ?? defaultTopic else {
                throw KafkaError(code: -186, name: "_INVALID_ARG", message: "sink record has no topic and the sink has no default topic")
            }
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
