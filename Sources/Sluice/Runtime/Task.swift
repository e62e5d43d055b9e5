/// A task: one partition of one stage, its operators chained behind a head.
final class Task {
    let id: TaskID
    let head: TaskHead
    let failures: FailureHandler
    /// The split the task reads: a source partition, or a partition of the repartition topic
    /// feeding its stage; `nil` for tasks behind an in-process exchange.
    let split: Split?
    /// What the task's operators registered while its chain was built: checkpoint and
    /// transaction participants, and its lineage.
    let context: TaskContext
    /// Writes the task's checkpoints; `nil` unless the job runs exactly-once.
    let checkpointer: TaskCheckpointer?
    /// The task's metrics, the same as its context's.
    var metrics: TaskMetrics? { context.metrics }

    init(id: TaskID, head: TaskHead, failures: FailureHandler, split: Split?, context: TaskContext,
         checkpointer: TaskCheckpointer? = nil) {
        self.id = id
        self.head = head
        self.failures = failures
        self.split = split
        self.context = context
        self.checkpointer = checkpointer
    }

    /// Whether the task wrote into the open transaction on its own since the last commit.
    var wroteSinceCommit: Bool {
        context.transactionParticipants.contains { $0.wroteSinceCommit }
    }
}

/// Carries a stage's tasks to the pool threads of one phase. Each task is touched by exactly
/// one thread during the phase and by the driver only between phases, hence the unchecked
/// `Sendable`.
struct PhaseWork: @unchecked Sendable {
    let tasks: [Task]
    let errors: LockedValue<[(Int, any Error)]>
}
