/// What the operators of one task share while its chain is built: its identity, its failure
/// policy, its state backend, and the list of checkpoint participants.
final class TaskContext {
    let taskID: TaskID
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
    /// The task's metrics, set before its chain is built; `nil` in tests that build chains alone.
    var metrics: TaskMetrics?

    init(taskID: TaskID, failures: FailureHandler, stateBackend: any StateBackend, checkpointing: Bool = false,
         lineage: TaskLineage = TaskLineage(restoring: nil), recordsWritten: RecordCounter = RecordCounter()) {
        self.taskID = taskID
        self.failures = failures
        self.stateBackend = stateBackend
        self.checkpointing = checkpointing
        self.lineage = lineage
        self.recordsWritten = recordsWritten
    }

    /// Adds a part of the chain that writes into transactions by itself.
    func register(transactional participant: any TransactionParticipant) {
        transactionParticipants.append(participant)
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
}
