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
    public typealias Element = SinkRecord

    /// The producer, shared with an exactly-once commit point in later versions.
    public let producer: KafkaProducer
    private let defaultTopic: String?
    private let firstFailure: FirstFailure

    /// Creates the producer.
    public init(options: KafkaSinkOptions, logger: Logger = Logger(label: "sluice.kafka.sink")) throws {
        let failure = FirstFailure()
        firstFailure = failure
        defaultTopic = options.topic
        producer = try KafkaProducer(configuration: options.producerConfiguration, logger: logger) { report in
            if report.error != nil { failure.record(report) }
        }
    }

    /// The default topic, for plans and messages.
    public var name: String { "kafka:\(defaultTopic ?? "<per-record topic>")" }

    /// Enqueues the records.
    public func write(_ elements: [SinkRecord]) throws {
        for record in elements {
            guard let topic = record.topic ?? defaultTopic else {
                throw KafkaError(code: -186, name: "_INVALID_ARG", message: "sink record has no topic and the sink has no default topic")
            }
            try producer.send(
                topic: topic, partition: record.partition, key: record.key, value: record.value,
                headers: record.headers.map { KafkaHeader($0.key, $0.value) }, timestamp: record.timestamp)
        }
        producer.poll()
    }

    /// Waits for every enqueued record; throws when any was not written.
    public func flush() throws {
        try producer.flush()
        if let failed = firstFailure.take() {
            let error = failed.error!
            throw KafkaError(
                code: error.code, name: error.name,
                message: "delivery to \(failed.topic)[\(failed.partition)] failed: \(error.message)",
                isRetriable: error.isRetriable, requiresAbort: error.requiresAbort, isFatal: error.isFatal)
        }
    }

    /// Flushes what is left, briefly.
    public func close() {
        do { try producer.flush(timeout: .seconds(10)) } catch {
            Logger(label: "sluice.kafka.sink").warning("close: \(error)")
        }
    }
}

/// The first failed delivery since the last flush, set from librdkafka's delivery callback.
final class FirstFailure: Sendable {
    private let report = Mutex<DeliveryReport?>(nil)

    func record(_ failed: DeliveryReport) {
        report.withLock { if $0 == nil { $0 = failed } }
    }

    func take() -> DeliveryReport? {
        report.withLock { value in
            defer { value = nil }
            return value
        }
    }
}
