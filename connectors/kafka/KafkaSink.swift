import Logging
import RdKafka
import Sluice
import Synchronization

/// Writes `SinkRecord`s to Kafka through its runtime's worker producer: inside the worker's
/// transaction when the job is exactly-once, so a read_committed consumer sees each result
/// once. Make it with ``KafkaRuntime/sink(topic:)``.
///
/// ``write(_:)`` only enqueues; the runtime flushes before every commit, and a flush throws
/// the first failed delivery, naming topic and partition. A record the producer refuses for
/// itself (larger than `message.max.bytes`) is reported as `RecordRejected` and follows the
/// job's bad-input policy. Thread-safe: tasks write concurrently.
public final class KafkaSink: Sink, RuntimeBound, Sendable {
    /// Kafka records: topic, partition, key, value, headers and timestamp.
    public typealias Element = SinkRecord

    private let kafka: KafkaRuntime
    /// The topic of records whose `SinkRecord.topic` is `nil`.
    public let topic: String?

    init(runtime: KafkaRuntime, topic: String?) {
        kafka = runtime
        self.topic = topic
    }

    /// The runtime whose producer writes this sink.
    public var runtime: any JobRuntime { kafka }

    /// The default topic, for plans and messages.
    public var name: String { "kafka:\(topic ?? "<per-record topic>")" }

    /// Enqueues the records.
    public func write(_ elements: [SinkRecord]) throws {
        let producer = try kafka.workerProducer()
        for (index, record) in elements.enumerated() {
            guard let topic = record.topic ?? topic else {
                throw RecordRejected(
                    index: index,
                    underlying: KafkaError(code: -186, name: "_INVALID_ARG", message: "sink record has no topic and the sink has no default topic"))
            }
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
    public func flush() throws {
        try kafka.workerProducer().flush()
    }
}
