/// What the operators of one task share while its chain is built: its identity, its failure
/// policy, its state backend, and the parts that take part in its checkpoints.
final class TaskContext {
    let taskID: TaskID
    /// The job's name, for writers' names and checkpoint attempts.
    let jobName: String
    /// The worker running the task.
    let workerID: String
    /// The job's delivery guarantee.
    let guarantee: DeliveryGuarantee
    let failures: FailureHandler
    let stateBackend: any StateBackend
    /// Whether the job checkpoints its state (exactly-once): operators then track which keys
    /// change, so checkpoints can be incremental, and refuse state they cannot encode.
    let checkpointing: Bool
    /// The task's place in its checkpoint chain, which repartition senders stamp on records.
    let lineage: TaskLineage
    /// Counts the records the task's sinks accept, with the other tasks of the worker.
    let recordsWritten: RecordCounter
    /// Every participant registered while the chain was built, in registration order.
    private(set) var participants: [any CheckpointParticipant] = []
    /// Parts of the chain that write into transactions by themselves.
    private(set) var transactionParticipants: [any TransactionParticipant] = []
    /// Parts of the chain that join the task's checkpoints by two-phase commit: sink writers,
    /// repartition senders, the dead-letter writer.
    private(set) var commitParticipants: [any TwoPhaseCommitParticipant] = []
    /// The task's metrics, set before its chain is built; `nil` in tests that build chains alone.
    var metrics: TaskMetrics?

    init(taskID: TaskID, jobName: String = "", workerID: String = "", guarantee: DeliveryGuarantee = .atLeastOnce,
         failures: FailureHandler, stateBackend: any StateBackend, checkpointing: Bool = false,
         lineage: TaskLineage = TaskLineage(restoring: nil), recordsWritten: RecordCounter = RecordCounter()) {
        self.taskID = taskID
        self.jobName = jobName
        self.workerID = workerID
        self.guarantee = guarantee
        self.failures = failures
        self.stateBackend = stateBackend
        self.checkpointing = checkpointing
        self.lineage = lineage
        self.recordsWritten = recordsWritten
    }

    /// What a sink is told of this task when it opens the task's writer.
    func sinkTaskContext(participantID: String) -> SinkTaskContext {
        SinkTaskContext(job: jobName, task: taskID, worker: workerID, guarantee: guarantee, participantID: participantID)
    }

    /// Adds a part of the chain that writes into transactions by itself.
    func register(transactional participant: any TransactionParticipant) {
        transactionParticipants.append(participant)
    }

    /// Adds a two-phase-commit participant to the task's checkpoints. Two with one
    /// ``TwoPhaseCommitParticipant/participantID`` would be handed each other's recovery data,
    /// so that is a planning error.
    func register(commit participant: any TwoPhaseCommitParticipant) throws {
        guard !commitParticipants.contains(where: { $0.participantID == participant.participantID }) else {
            throw JobError.invalidPlan("two writers of \(taskID) take part in checkpoints under the id '\(participant.participantID)'")
        }
        commitParticipants.append(participant)
    }

    /// Adds `participant` to the task's checkpoints. Two participants with one
    /// ``CheckpointParticipant/checkpointID`` would restore each other's state, so that is a
    /// planning error.
    func register(_ participant: any CheckpointParticipant) throws {
        guard !participants.contains(where: { $0.checkpointID == participant.checkpointID }) else {
            throw JobError.invalidPlan("two operators of \(taskID) checkpoint under the id '\(participant.checkpointID)'")
        }
        participants.append(participant)
    }

    /// The attempt at the checkpoint the task works towards now.
    var currentAttempt: CheckpointAttempt {
        CheckpointAttempt(job: jobName, task: taskID, sequence: lineage.currentSequence, incarnation: lineage.incarnation)
    }
}
