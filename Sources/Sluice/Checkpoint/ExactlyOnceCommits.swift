import Logging

/// The exactly-once ``CommitStrategy``: each commit is a checkpoint of every task, a two-phase
/// commit decided by the worker's transaction (``CheckpointCoordinator``).
final class ExactlyOnceCommits: CommitStrategy {
    let coordinator: CheckpointCoordinator

    init(coordinator: CheckpointCoordinator) {
        self.coordinator = coordinator
    }

    var checkpointsState: Bool { true }

    func begin(tasks: [Task]) throws {
        if !coordinator.transactionOpen { try coordinator.begin(tasks: tasks) }
    }

    func tasksJoined(_ joined: [Task], all: [Task]) throws {
        if coordinator.transactionOpen {
            try coordinator.join(joined)
        } else {
            try coordinator.begin(tasks: all)
        }
    }

    /// Positions travel inside the checkpoints.
    func roundHandled(_ positions: [Split: Int64]) {}

    func prepare(tasks: [Task]) throws -> PreparedCommit? {
        try coordinator.prepare(tasks: tasks).map(PreparedCommit.checkpoint)
    }

    func commit(_ prepared: PreparedCommit, tasks: [Task]) throws -> Bool {
        guard case .checkpoint(let checkpoint) = prepared else {
            preconditionFailure("an exactly-once worker prepared a commit of positions")
        }
        try coordinator.commit(checkpoint, tasks: tasks)
        try coordinator.begin(tasks: tasks)
        return true
    }

    func abort(reason: String, tasks: [Task]) {
        coordinator.abort(reason: reason, tasks: tasks)
    }

    /// Another worker may commit newer checkpoints of these tasks from now on.
    func tasksLeft(_ tasks: [Task]) {
        coordinator.forget(tasks.map(\.id))
    }

    func knownPointer(of task: TaskID) -> Int64? {
        coordinator.committedPointers[task]
    }

    func finish(tasks: [Task]) throws {
        try coordinator.finish(tasks: tasks)
    }

    func stopFailing(_ error: any Error, tasks: [Task], logger: Logger) {
        coordinator.abort(reason: "job failed: \(error)", tasks: tasks)
    }
}
