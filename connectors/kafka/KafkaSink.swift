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
public final class KafkaSink: SharedSink, RuntimeBound, Sendable {
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

    /// Enqueues the records. Runs of records to one topic and partition without headers and
    /// timestamps go to the producer in batches; the others one by one, in the same order.
    public func write(_ elements: [SinkRecord]) throws {
        let producer = try kafka.workerProducer()
        var index = 0
        while index < elements.count {
            let record = elements[index]
            guard let topic = record.topic ?? topic else {
                throw RecordRejected(index: index, underlying: KafkaConnectorError.recordWithoutTopic)
            }
            let start = index
            do {
                if Self.isBatchable(record) {
                    var end = index + 1
                    while end < elements.count, Self.isBatchable(elements[end]), elements[end].partition == record.partition,
                          (elements[end].topic ?? self.topic) == topic {
                        end += 1
                    }
                    index = end
                    try producer.sendBatch(topic: topic, partition: record.partition, count: end - start) { i in
                        (elements[start + i].key, elements[start + i].value)
                    }
                } else {
                    index += 1
                    try producer.send(
                        topic: topic, partition: record.partition, key: record.key, value: record.value,
                        headers: record.headers, timestamp: record.timestamp)
                }
            } catch let rejection as RecordRejected {
                throw RecordRejected(index: start + rejection.index, underlying: rejection.underlying)
            }
        }
        producer.poll()
    }

    /// Whether `record` can share an `rd_kafka_produce_batch` call, which takes neither headers
    /// nor timestamps.
    private static func isBatchable(_ record: SinkRecord) -> Bool {
        record.headers.isEmpty && record.timestamp == nil
    }

    /// Waits for every enqueued record; throws when any was not written.
    public func flush() throws {
        try kafka.workerProducer().flush()
    }
}
