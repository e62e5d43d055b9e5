/// A task: one partition of one stage, its operators chained behind a head.
final class Task {
    let id: TaskID
    let head: TaskHead
    let failures: FailureHandler
    /// The split a source task reads; `nil` for tasks behind an exchange.
    let split: Split?

    init(id: TaskID, head: TaskHead, failures: FailureHandler, split: Split?) {
        self.id = id
        self.head = head
        self.failures = failures
        self.split = split
    }
}

/// Carries a stage's tasks to the pool threads of one phase. Each task is touched by exactly
/// one thread during the phase and by the driver only between phases, hence the unchecked
/// `Sendable`.
struct PhaseWork: @unchecked Sendable {
    let tasks: [Task]
    let errors: LockedValue<[(Int, any Error)]>
}
