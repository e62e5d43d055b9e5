import RdKafka
import Synchronization

/// Tells which errors of a worker's producer and consumer mean that another process took over
/// its identity, and remembers it once it happened: everything that fails afterwards is a
/// consequence, so the worker stops with ``WorkerFencedError`` instead of retrying.
///
/// librdkafka reports fencing in several shapes: a fatal `_FENCED` on a Kafka broker, an
/// abortable `PRODUCER_FENCED` delivery failure on Tansu (after which sends fail with
/// "Producing not allowed in transactional state AbortableError" and aborts time out), a fatal
/// `FENCED_INSTANCE_ID` raised by the consumer, after which its polls say only `_FATAL`.
final class WorkerFencing: Sendable {
    let job: String
    let workerID: String
    let transactionalID: String?
    let groupInstanceID: String?
    private let fenced = Mutex<WorkerFencedError?>(nil)

    init(job: String, workerID: String, transactionalID: String?, groupInstanceID: String?) {
        self.job = job
        self.workerID = workerID
        self.transactionalID = transactionalID
        self.groupInstanceID = groupInstanceID
    }

    /// The fencing seen so far, if any.
    var error: WorkerFencedError? { fenced.withLock { $0 } }

    /// Notes a fencing error reported outside a call (a failed delivery); others are ignored.
    func note(_ error: KafkaError) {
        guard error.isFenced else { return }
        record(error)
    }

    /// `error` itself, or the ``WorkerFencedError`` it means: a fencing error, any error of a
    /// client whose fatal error (`clientFatal`) is one (librdkafka purges a fenced producer's
    /// queue, so its first failure may well be `_PURGE_QUEUE`), or any error once this worker
    /// was fenced.
    func check(_ error: any Error, clientFatal: @autoclosure () -> KafkaError?) -> any Error {
        if let known = self.error { return known }
        if let kafka = error as? KafkaError, kafka.isFenced { return record(kafka) }
        if let cause = clientFatal(), cause.isFenced { return record(cause) }
        return error
    }

    @discardableResult
    private func record(_ cause: KafkaError) -> WorkerFencedError {
        fenced.withLock { fenced in
            if let fenced { return fenced }
            let takenOver = cause.name == "FENCED_INSTANCE_ID"
                ? "group.instance.id \(groupInstanceID ?? workerID)"
                : "transactional id \(transactionalID ?? "\(job)-\(workerID)")"
            let error = WorkerFencedError(job: job, workerID: workerID, takenOver: takenOver, cause: cause)
            fenced = error
            return error
        }
    }
}
