import RdKafka
import Sluice

/// A worker stopped because another process runs with its worker id: the broker fenced it in
/// favour of the newer one, which took over its transactional id (exactly-once) or its static
/// group membership.
///
/// Two live workers with one id cannot both run: the transactional id and the static member
/// belong to the last one that started. The older one therefore stops, and never as a
/// librdkafka error that names neither the worker nor the fix: its description is one line
/// naming the job, the worker id, what was taken over, and what to do.
public struct WorkerFencedError: Error, ConnectorError, CustomStringConvertible {
    /// The job's name.
    public let job: String
    /// The worker id both processes run with.
    public let workerID: String
    /// What the newer process took over: `transactional id <job>-<worker id>` or
    /// `group.instance.id <worker id>`.
    public let takenOver: String
    /// librdkafka's error that said so (`_FENCED`, `PRODUCER_FENCED`, `INVALID_PRODUCER_EPOCH`
    /// or `FENCED_INSTANCE_ID`).
    public let cause: KafkaError

    /// Always: a restart would fence the newer process in turn, and the two would take turns.
    public var isFatal: Bool { true }

    /// One line, e.g. `worker w-0 of word-count was fenced: another process runs with worker id
    /// w-0 and took over its transactional id word-count-w-0 (PRODUCER_FENCED); this one stops.
    /// Give each process of the job its own worker id (--worker-id)`.
    public var description: String {
        "worker \(workerID) of \(job) was fenced: another process runs with worker id \(workerID) and took over its \(takenOver) (\(cause.name)); this one stops. Give each process of the job its own worker id (--worker-id)"
    }

    /// The fencing error `error` is or wraps (in a `JobError`), if any.
    public static func find(in error: any Error) -> WorkerFencedError? {
        switch error {
        case let fenced as WorkerFencedError: fenced
        case JobError.connectorFailed(_, let underlying): find(in: underlying)
        case JobError.restartsExhausted(_, let last): find(in: last)
        default: nil
        }
    }
}
