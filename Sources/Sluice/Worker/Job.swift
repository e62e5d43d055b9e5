/// A planned job, ready to run on this worker.
///
/// ``run()`` turns the calling thread into the worker's **driver thread**: it opens the worker
/// through the job's ``JobRuntime`` (membership, commit point, exchanges, checkpoint log), joins
/// the group, and runs rounds until the job's bounded sources end or ``stop()`` is called, when
/// it makes a last checkpoint (or commit) and leaves the group.
///
/// Each round polls the sources, runs the tasks stage by stage, acts on the changes the
/// membership recorded (restoring the tasks of assigned splits before they are read, and
/// checkpointing before revoked splits are let go), then checkpoints when the interval is due:
///
/// - exactly-once: every task's state, outputs and input position in one transaction, a
///   two-phase commit with every ``TwoPhaseCommitParticipant`` of the tasks;
/// - at-least-once: the tasks' participants flush, then the positions of fully handled records
///   are committed;
/// - none: positions are committed without waiting for outputs.
///
/// ## Failures
///
/// Under exactly-once, a failure that is not one record's fault (a broker away, a transaction
/// that must abort, a commit that timed out) aborts the open transaction and rewinds every task
/// to its last committed checkpoint, after a delay the ``RestartStrategy`` sets, which also
/// decides when to give up. A record that fails under the ``BadInputPolicy/fail`` policy, a
/// fenced producer, a plan error or an unreadable checkpoint stop the job at once. Under
/// at-least-once, the positions of earlier rounds are committed and the error is rethrown.
public final class Job {
    /// The physical plan this job runs.
    public let plan: JobPlan
    /// Stops the job from any thread.
    public let stopSignal = StopSignal()
    private let checkpointRequest = CheckpointRequest()
    private let worker: Worker
    private var ran = false

    init(plan: JobPlan, graph: LogicalGraph, stageOf: [Int], configuration: JobConfiguration,
         runtime: any JobRuntime, sinks: [any Sink]) {
        self.plan = plan
        worker = Worker(
            plan: plan, graph: graph, stageOf: stageOf, configuration: configuration, runtime: runtime, sinks: sinks,
            stopSignal: stopSignal, checkpointRequest: checkpointRequest)
    }

    /// Asks the job to stop after its current round; same as `stopSignal.stop()`.
    public func stop() {
        stopSignal.stop()
    }

    /// Asks the job to checkpoint (exactly-once) or commit its positions at the end of its
    /// current round, whatever its checkpoint interval says; safe from any thread. A test driver
    /// decides this way when checkpoints happen (`SluiceTesting`'s `ExactlyOnceTestDriver`).
    /// While the worker holds commits (it may have lost its splits), the checkpoint waits.
    public func requestCheckpoint() {
        checkpointRequest.request()
    }

    /// Runs the job on the calling thread until its bounded sources end, ``stop()`` is called,
    /// or a failure stops it.
    @discardableResult
    public func run() throws -> JobMetrics {
        precondition(!ran, "a job runs once; build a new one to run again")
        ran = true
        return try worker.run()
    }
}
