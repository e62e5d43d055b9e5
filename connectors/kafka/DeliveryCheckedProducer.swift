import Logging
import RdKafka
import Sluice
import Synchronization

/// A producer whose ``flush()`` fails when any record since the previous flush was not
/// delivered, naming its topic and partition: what the sink and the repartition exchange need
/// so the runtime never commits source positions past lost output.
final class DeliveryCheckedProducer: Sendable {
    let producer: KafkaProducer
    private let firstFailure: FirstFailure
    private let logger: Logger

    init(configuration: ProducerConfiguration, logger: Logger) throws {
        let failure = FirstFailure()
        firstFailure = failure
        self.logger = logger
        producer = try KafkaProducer(configuration: configuration, logger: logger) { report in
            if report.error != nil { failure.record(report) }
        }
    }

    /// Enqueues one record.
    func send(topic: String, partition: Int32?, key: [UInt8]?, value: [UInt8], headers: [RecordHeader], timestamp: Int64?) throws {
        try producer.send(
            topic: topic, partition: partition, key: key, value: value,
            headers: headers.map { KafkaHeader($0.key, $0.value) }, timestamp: timestamp)
    }

    /// Waits for every enqueued record; throws the first failed delivery.
    func flush() throws {
        try producer.flush()
        if let failed = firstFailure.take() {
            let error = failed.error!
            throw KafkaError(
                code: error.code, name: error.name,
                message: "delivery to \(failed.topic)[\(failed.partition)] failed: \(error.message)",
                isRetriable: error.isRetriable, requiresAbort: error.requiresAbort, isFatal: error.isFatal)
        }
    }

    /// Flushes what is left, briefly; a failure is only logged, as nothing commits after it.
    func close() {
        do { try producer.flush(timeout: .seconds(10)) } catch {
            logger.warning("close: \(error)")
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
