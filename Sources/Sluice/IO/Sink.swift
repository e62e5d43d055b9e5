/// Where a job's results go.
///
/// Each task writes through a writer of its own (``makeWriter(for:)``), which joins the task's
/// checkpoints as a ``TwoPhaseCommitParticipant``: that is how a sink makes its output
/// exactly-once with the job (see "Writing a connector"). A sink whose one object can serve
/// every task at once, buffering until a flush, conforms to ``SharedSink`` instead and gets a
/// writer per task for free.
///
/// ## How the runtime drives a sink
///
/// - ``makeWriter(for:)`` on the driver thread whenever a task is built: at start, when the
///   membership assigns a split, when a task is restored or rewound. The old writer of a rebuilt
///   task is dropped after its ``TwoPhaseCommitParticipant/abort(_:)``.
/// - The writer's ``SinkWriter/write(_:)`` on the task's thread, once per batch; different
///   tasks' writers run at the same time.
/// - The writer's participant calls on the driver thread while no task runs.
/// - ``close()`` once at the end, after the final checkpoint or commit.
public protocol Sink<Element>: AnyObject, Sendable {
    /// What one result is: ``SinkRecord`` for Kafka, a row type for a database.
    associatedtype Element

    /// A name for plans and error messages.
    var name: String { get }

    /// Opens the writer through which the task `task` writes.
    func makeWriter(for task: SinkTaskContext) throws -> any SinkWriter<Element>

    /// Releases the sink's resources.
    func close()
}

extension Sink {
    /// Does nothing, for sinks that hold no resources.
    public func close() {}
}

/// One task's way into a ``Sink``: takes the task's batches and joins its checkpoints.
public protocol SinkWriter<Element>: TwoPhaseCommitParticipant {
    /// What one result is.
    associatedtype Element

    /// Accepts a batch of results; may buffer until ``TwoPhaseCommitParticipant/prepare(_:)``.
    /// A result refused for a reason of its own throws ``RecordRejected`` with its index, and
    /// the job's bad-input policy decides; the results before it were accepted.
    func write(_ elements: [Element]) throws
}

/// What a sink knows of the task a writer is for.
public struct SinkTaskContext: Sendable {
    /// The job.
    public var job: String
    /// The task.
    public var task: TaskID
    /// The worker running it.
    public var worker: String
    /// The job's delivery guarantee: a sink that can only do better than at-least-once with
    /// prepared transactions (or cannot at all) decides here, at start.
    public var guarantee: DeliveryGuarantee
    /// The id the writer reports as its ``TwoPhaseCommitParticipant/participantID``: stable
    /// across runs, unique within the task.
    public var participantID: String

    /// A task context; the runtime makes them, tests may too.
    public init(job: String, task: TaskID, worker: String, guarantee: DeliveryGuarantee, participantID: String) {
        self.job = job
        self.task = task
        self.worker = worker
        self.guarantee = guarantee
        self.participantID = participantID
    }
}

/// A sink whose one object serves every task: ``write(_:)`` from several task threads at once
/// (so it must be thread-safe) and ``flush()`` at every checkpoint. Its writers pass batches
/// on and flush in ``TwoPhaseCommitParticipant/prepare(_:)``: at-least-once on their own, and
/// exactly-once when what they write joins the worker's transaction (the Kafka sink writes
/// through the worker's transactional producer).
public protocol SharedSink<Element>: Sink {
    /// What one result is.
    associatedtype Element

    /// Accepts a batch of results; may buffer until ``flush()``.
    func write(_ elements: [Element]) throws

    /// Makes every element written so far durable (or visible), or throws.
    func flush() throws
}

extension SharedSink {
    /// A writer that passes batches to ``write(_:)`` and flushes the sink when its task
    /// checkpoints.
    public func makeWriter(for task: SinkTaskContext) throws -> any SinkWriter<Element> {
        SharedSinkWriter(sink: self, participantID: task.participantID)
    }
}

/// The writer of a ``SharedSink``: the sink itself behind a task's participant.
final class SharedSinkWriter<Target: SharedSink>: SinkWriter {
    typealias Element = Target.Element
    let sink: Target
    let participantID: String

    init(sink: Target, participantID: String) {
        self.sink = sink
        self.participantID = participantID
    }

    func write(_ elements: [Element]) throws {
        try sink.write(elements)
    }

    func prepare(_ attempt: CheckpointAttempt) throws {
        try sink.flush()
    }
}
