/// A part of a task that joins the task's checkpoints by two-phase commit: the way a connector
/// (a sink writing to a database, to files, to another broker) makes its output move exactly
/// once together with the job's input positions and state.
///
/// The worker coordinates; the **decision record** is its Kafka transaction, which commits
/// every checkpointed task's manifest, input position and checkpoint pointer at once. A
/// participant never decides anything: it stages, reports what recovery needs, and finishes or
/// rolls back when told. Every call comes on the worker's driver thread while no task runs.
///
/// ## One checkpoint
///
/// 1. ``prepare(_:)``: flush and stage everything the task handed the participant since the
///    previous checkpoint, durable but not yet visible: a PostgreSQL `PREPARE TRANSACTION`
///    named after ``CheckpointAttempt/name``, a hidden part file closed, a Kafka producer
///    flushed inside its transaction.
/// 2. ``preCommit(_:)``: return what recovery will need to finish the staged work (the prepared
///    transaction's name, the pending file names), or `nil` when there is nothing to finish.
///    The bytes go into the task's checkpoint manifest.
/// 3. The worker commits its transaction with every task's manifest. Then ``commit(_:preCommitted:)``
///    makes the staged work visible (`COMMIT PREPARED`, rename the files), or, when the
///    transaction was not committed, ``abort(_:)`` rolls it back.
///
/// ## Recovery
///
/// Whenever the task is built (first start, restore on another worker after a rebalance or a
/// crash, rewind after an abort) and before it handles a record, ``recover(_:)`` is told which
/// checkpoint the task resumes from, with what this participant's ``preCommit(_:)`` returned for
/// it. It must finish that work (idempotently: the commit may already have happened, or the
/// worker may have died in the middle of it) and roll back anything staged by the same task
/// after it: a prepared transaction of a later attempt, pending files of an aborted checkpoint.
///
/// A ``commit(_:preCommitted:)`` that throws after the decision was made is not lost: the
/// worker restarts (``JobConfiguration/restartStrategy``), rebuilds the task from the
/// checkpoint that names the work, and ``recover(_:)`` finishes it.
///
/// ## Guarantees
///
/// Under at-least-once the worker calls ``prepare(_:)`` before it commits input positions and
/// ``commit(_:preCommitted:)`` after, without a manifest: ``recover(_:)`` then never names a
/// checkpoint.
/// Under ``DeliveryGuarantee/none`` positions are committed first.
///
/// Sinks take part through their writers (``SinkWriter`` refines this protocol); the Kafka sink,
/// the repartition exchange between stages and the dead-letter writer are participants like any
/// other. Every method but ``participantID`` has a default that does nothing.
public protocol TwoPhaseCommitParticipant: AnyObject {
    /// Names the participant within its task, the same on every run of the job, so a restore
    /// hands each participant what it pre-committed: the runtime passes one to writers in
    /// ``SinkTaskContext/participantID``.
    var participantID: String { get }

    /// Phase one: flushes and stages the work of the checkpoint `attempt`.
    func prepare(_ attempt: CheckpointAttempt) throws

    /// What recovery needs to finish the staged work of `attempt`; `nil` when there is none.
    func preCommit(_ attempt: CheckpointAttempt) throws -> [UInt8]?

    /// Phase two: the checkpoint `attempt` committed; make its staged work visible.
    func commit(_ attempt: CheckpointAttempt, preCommitted: [UInt8]?) throws

    /// The checkpoint `attempt` was abandoned before its decision: roll its staged work back.
    /// Failures are the participant's to log: ``recover(_:)`` cleans up after them. When the
    /// decision itself failed (its outcome may be unknown) ``abort(_:)`` is not called: the
    /// staged work is left to ``recover(_:)``, which knows what committed.
    func abort(_ attempt: CheckpointAttempt)

    /// The task was built and resumes from `recovery`'s checkpoint (or from none): finish the
    /// work it names, roll back anything else of the same task.
    func recover(_ recovery: TaskRecovery) throws
}

extension TwoPhaseCommitParticipant {
    /// Does nothing.
    public func prepare(_ attempt: CheckpointAttempt) throws {}
    /// `nil`: nothing to finish.
    public func preCommit(_ attempt: CheckpointAttempt) throws -> [UInt8]? { nil }
    /// Does nothing.
    public func commit(_ attempt: CheckpointAttempt, preCommitted: [UInt8]?) throws {}
    /// Does nothing.
    public func abort(_ attempt: CheckpointAttempt) {}
    /// Does nothing.
    public func recover(_ recovery: TaskRecovery) throws {}
}
