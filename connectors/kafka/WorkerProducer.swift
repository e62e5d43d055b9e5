import Logging
import RdKafka
import Sluice
import Synchronization

/// The one producer of a worker: the job's sinks, its repartition writes, its dead letters and
/// its checkpoint records all go through it, so one Kafka transaction (exactly-once) holds them
/// all.
///
/// ``flush()`` fails when any record since the previous flush was not delivered, naming its
/// topic and partition, so no position is ever committed past lost output. Checkpoint records
/// carry a ``CheckpointReceipt`` that learns the record's offset from its delivery report.
/// Every error that says another process took over the worker's transactional id comes out as
/// ``WorkerFencedError`` (see `WorkerFencing`).
final class WorkerProducer: Sendable {
    let producer: KafkaProducer
    let transactional: Bool
    let fencing: WorkerFencing
    private let firstFailure: FirstFailure
    private let logger: Logger

    init(configuration: ProducerConfiguration, fencing: WorkerFencing, logger: Logger) throws {
        let failure = FirstFailure()
        firstFailure = failure
        self.fencing = fencing
        self.logger = logger
        transactional = configuration.transactionalID != nil
        producer = try KafkaProducer(configuration: configuration, logger: logger) { report in
            if report.token != 0, let pointer = UnsafeRawPointer(bitPattern: report.token) {
                let receipt = Unmanaged<CheckpointReceipt>.fromOpaque(pointer).takeRetainedValue()
                if report.error == nil { receipt.delivered(at: report.offset) }
            }
            if let error = report.error {
                failure.record(report)
                fencing.note(error)
            }
        }
    }

    /// `error`, or the ``WorkerFencedError`` it means. Delivery reports are served first: a
    /// send refused because the transaction turned abortable ("Producing not allowed in
    /// transactional state AbortableError") may have a fenced delivery behind it, not yet reported.
    func identified(_ error: any Error) -> any Error {
        if fencing.error == nil { producer.poll() }
        return fencing.check(error, clientFatal: producer.fatalError)
    }

    /// Enqueues one record. Errors that lie in the record itself (too large, an explicit
    /// partition the topic does not have) are ``RecordRejected`` with index 0, so callers can
    /// hand the record to the bad-input policy.
    func send(topic: String, partition: Int32?, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = [],
              timestamp: Int64? = nil, receipt: CheckpointReceipt? = nil) throws {
        let token = receipt.map { UInt(bitPattern: Unmanaged.passRetained($0).toOpaque()) } ?? 0
        do {
            try producer.send(
                topic: topic, partition: partition, key: key, value: value,
                headers: headers.map { KafkaHeader($0.key, $0.value) }, timestamp: timestamp, token: token)
        } catch let error as KafkaError {
            if let receipt { Unmanaged.passUnretained(receipt).release() }
            if error.refusesRecord { throw RecordRejected(index: 0, underlying: error) }
            throw identified(error)
        }
    }

    /// Enqueues `count` records of one topic and partition, without headers or timestamps, in
    /// batches (``KafkaProducer/sendBatch(topic:partition:count:bytes:)``). A record refused for
    /// itself is ``RecordRejected`` with its index in `0..<count`: the ones before it were
    /// enqueued, it and the ones after it were not.
    func sendBatch(topic: String, partition: Int32?, count: Int, bytes: (Int) -> (key: [UInt8]?, value: [UInt8]?)) throws {
        do {
            try producer.sendBatch(topic: topic, partition: partition, count: count, bytes: bytes)
        } catch let failure as ProduceBatchError {
            if failure.underlying.refusesRecord {
                throw RecordRejected(index: failure.index, underlying: failure.underlying)
            }
            throw identified(failure.underlying)
        }
    }

    /// Serves delivery reports without waiting.
    func poll() {
        producer.poll()
    }

    /// Waits for every enqueued record; throws the first failed delivery.
    func flush() throws {
        do {
            try producer.flush()
        } catch {
            throw identified(error)
        }
        if let failed = firstFailure.take() {
            let error = failed.error!
            throw identified(KafkaError(
                code: error.code, name: error.name,
                message: "delivery to \(failed.failedTopic ?? producer.topicName(id: failed.topicID) ?? "?")[\(failed.partition)] failed: \(error.message)",
                isRetriable: error.isRetriable, requiresAbort: error.requiresAbort || transactional, isFatal: error.isFatal))
        }
    }

    /// Forgets failed deliveries of an aborted transaction, which must not fail the next one.
    func discardFailures() {
        _ = firstFailure.take()
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
