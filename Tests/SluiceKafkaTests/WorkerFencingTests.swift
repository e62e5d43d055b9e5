@testable import RdKafka
import Sluice
@testable import SluiceKafka
import XCTest

/// Which errors of a worker's producer and consumer mean that another process took over its
/// worker id, in the shapes librdkafka and the brokers here report them, and the one line the
/// worker then stops with. No broker: the errors are built as librdkafka builds them (the
/// shapes were seen on Tansu and librdkafka's mock; `WorkerIdentityTests` and
/// `StaticMembershipTests` meet them for real).
final class WorkerFencingTests: XCTestCase {
    private func fencing() -> WorkerFencing {
        WorkerFencing(job: "word-count", workerID: "dup-0", transactionalID: "word-count-dup-0", groupInstanceID: "dup-0")
    }

    /// Tansu 0.6 reports a fenced producer as an abortable delivery failure.
    private let producerFenced = KafkaError(
        code: 90, name: "PRODUCER_FENCED",
        message: "delivery to word-count-1-checkpoints[1] failed: Broker: There is a newer producer with the same transactionalId which fences the current one",
        requiresAbort: true)

    func testAFencedProducerStopsTheWorkerNamingItsIDAndTheFix() throws {
        let fencing = fencing()
        let error = try XCTUnwrap(fencing.check(producerFenced, clientFatal: nil) as? WorkerFencedError)
        XCTAssertTrue(error.isFatal, "a restart would only fence the newer process in turn")
        XCTAssertEqual(error.workerID, "dup-0")
        XCTAssertEqual(error.takenOver, "transactional id word-count-dup-0")
        XCTAssertEqual(
            error.description,
            "worker dup-0 of word-count was fenced: another process runs with worker id dup-0 and took over its transactional id word-count-dup-0 (PRODUCER_FENCED); this one stops. Give each process of the job its own worker id (--worker-id)")
        XCTAssertFalse(error.description.contains("\n"))
    }

    func testEverythingThatFailsAfterTheFenceIsTheFence() throws {
        let fencing = fencing()
        fencing.note(producerFenced)
        // What Tansu makes of the next send and the abort.
        let state = KafkaError(code: -172, name: "_STATE", message: "Producing not allowed in transactional state AbortableError")
        let timedOut = KafkaError(code: -185, name: "_TIMED_OUT", message: "Timed out waiting for operation to finish", isRetriable: true)
        for later in [state, timedOut] {
            let error = try XCTUnwrap(fencing.check(later, clientFatal: nil) as? WorkerFencedError, "\(later)")
            XCTAssertEqual(error.cause.name, "PRODUCER_FENCED")
        }
        XCTAssertEqual(fencing.error?.cause.name, "PRODUCER_FENCED")
    }

    func testAClientsFatalFenceExplainsItsOtherErrors() throws {
        // A Kafka broker: librdkafka raises _FENCED and purges the producer's queue, so the first
        // failure the worker sees may be a purged delivery.
        let purged = KafkaError(code: -152, name: "_PURGE_QUEUE", message: "Local: Purged in queue", requiresAbort: true)
        let fenced = KafkaError(code: -144, name: "_FENCED", message: "Producer fenced by newer instance", isFatal: true)
        let producer = try XCTUnwrap(fencing().check(purged, clientFatal: fenced) as? WorkerFencedError)
        XCTAssertEqual(producer.takenOver, "transactional id word-count-dup-0")
        XCTAssertEqual(producer.cause.name, "_FENCED")

        // A Kafka coordinator fences the older static member: its polls then say only _FATAL.
        let fatal = KafkaError(code: -150, name: "_FATAL", message: "consumer: Fatal consumer error: Broker: Static consumer fenced by other consumer with same group.instance.id", isFatal: true)
        let instance = KafkaError(code: 82, name: "FENCED_INSTANCE_ID", message: "Fatal consumer error: Broker: Static consumer fenced by other consumer with same group.instance.id", isFatal: true)
        let consumer = try XCTUnwrap(fencing().check(fatal, clientFatal: instance) as? WorkerFencedError)
        XCTAssertEqual(consumer.takenOver, "group.instance.id dup-0")
        XCTAssertTrue(consumer.description.contains("took over its group.instance.id dup-0 (FENCED_INSTANCE_ID)"), consumer.description)
    }

    func testOtherErrorsPassThrough() {
        let fencing = fencing()
        let unreachable = KafkaError(code: -195, name: "_TRANSPORT", message: "Kafka at 127.0.0.1:1: connection refused", isRetriable: true)
        let otherFatal = KafkaError(code: -150, name: "_FATAL", message: "idempotence", isFatal: true)
        let gap = KafkaError(code: 45, name: "OUT_OF_ORDER_SEQUENCE_NUMBER", message: "gap", isFatal: true)
        XCTAssertEqual(fencing.check(unreachable, clientFatal: nil) as? KafkaError, unreachable)
        XCTAssertEqual(fencing.check(otherFatal, clientFatal: gap) as? KafkaError, otherFatal)
        XCTAssertNil(fencing.error)
    }

    func testTheFenceIsFoundWhereTheEngineWrappedIt() throws {
        let error = try XCTUnwrap(fencing().check(producerFenced, clientFatal: nil) as? WorkerFencedError)
        let wrapped = JobError.restartsExhausted(
            attempts: 2, last: JobError.connectorFailed("committing checkpoint", underlying: error))
        XCTAssertEqual(WorkerFencedError.find(in: wrapped)?.description, error.description)
        XCTAssertNil(WorkerFencedError.find(in: JobError.connectorFailed("commit", underlying: producerFenced)),
                     "a librdkafka error the worker never identified is not made into one here")
    }
}
