import Logging

/// How a worker makes its progress durable, chosen once from the job's delivery guarantee
/// (``DeliveryGuarantee``): the worker calls the same steps whatever the guarantee, and only the
/// strategy knows what they mean.
///
/// - ``ExactlyOnceCommits``: every step of a two-phase checkpoint (``CheckpointCoordinator``);
///   tasks restore from their checkpoints.
/// - ``PositionCommits``: input positions of fully handled records, committed after the tasks'
///   participants flushed (at-least-once) or before (none).
///
/// Every call comes on the worker's driver thread while no task runs.
protocol CommitStrategy: AnyObject {
    /// Whether tasks checkpoint their state and restore from checkpoints.
    var checkpointsState: Bool { get }

    /// Opens the first interval (for exactly-once, the first transaction) for `tasks`.
    func begin(tasks: [Task]) throws

    /// `joined` were built while an interval may be open (assigned, or rewound); `all` is every
    /// task now.
    func tasksJoined(_ joined: [Task], all: [Task]) throws

    /// Every record before `positions` went through the whole job this round.
    func roundHandled(_ positions: [Split: Int64])

    /// Phase one of a commit of `tasks`; `nil` when there is nothing to commit.
    func prepare(tasks: [Task]) throws -> PreparedCommit?

    /// The decision, phase two, and the next interval. Returns whether anything was committed.
    func commit(_ prepared: PreparedCommit, tasks: [Task]) throws -> Bool

    /// Abandons the open interval's uncommitted work.
    func abort(reason: String, tasks: [Task])

    /// `tasks` left this worker: their splits were revoked or lost.
    func tasksLeft(_ tasks: [Task])

    /// The pointer of `task`'s last committed checkpoint this worker knows (exactly-once), from
    /// which a rewind rebuilds it.
    func knownPointer(of task: TaskID) -> Int64?

    /// The worker stops normally after its final commit: closes the open interval.
    func finish(tasks: [Task]) throws

    /// The worker stops on `error`: keeps what can be kept (at-least-once commits the rounds it
    /// completed, sparing a replay) and abandons the rest.
    func stopFailing(_ error: any Error, tasks: [Task], logger: Logger)
}

/// A commit whose first phase is done.
enum PreparedCommit {
    /// An exactly-once checkpoint of tasks' state, outputs and positions.
    case checkpoint(CheckpointCoordinator.Prepared)
    /// Positions of fully handled records, and the attempts whose participants prepared.
    case positions([Split: Int64], attempts: [(task: Task, attempt: CheckpointAttempt, preCommitted: [CheckpointManifest.ScalarState])])
}
