/// The lifecycle of one worker as a value: it takes what happened (a round ended, a checkpoint
/// was prepared, the membership changed, something failed) and returns what the worker does
/// next. ``Worker`` carries the actions out; this type does no I/O and reads no clock, so every
/// decision is tested without Kafka (`WorkerStateMachineTests`).
///
/// ```
/// starting ─joined→ running ─checkpoint due→ checkpointing ─ended→ running
///                     │  ╰─failed (recoverable)→ rewinding ─rewound→ running
///                     ╰─stop asked, or bounded inputs ended→ draining ─left→ stopped
/// ```
/// A failure that cannot be retried, or one more than the restart strategy allows, goes to
/// `stopped` from anywhere.
struct WorkerStateMachine {
    enum State: Equatable, Sendable {
        /// Connecting, creating topics, joining; no round has run.
        case starting
        /// Running rounds.
        case running
        /// A checkpoint (exactly-once) or a commit of positions is in progress between rounds.
        case checkpointing
        /// After a failure: the open transaction is aborted and every task is rebuilt from its
        /// last committed checkpoint once the restart delay passed.
        case rewinding(attempt: Int)
        /// Stopping: a last checkpoint, then the group is left.
        case draining
        /// Done, or failed.
        case stopped
    }

    /// What the worker was configured with.
    struct Settings: Sendable {
        var guarantee: DeliveryGuarantee
        var checkpointInterval: Duration
        var restartStrategy: RestartStrategy
        /// The group's session timeout, for how long commits wait after the worker may have lost
        /// its splits.
        var sessionTimeout: Duration?
    }

    /// What to do after a round.
    enum RoundAction: Equatable {
        case nextRound
        case checkpoint
        /// Make the final checkpoint, leave the group and stop.
        case finish
    }

    /// What to do after a checkpoint's first phase.
    enum CommitDecision: Equatable {
        case commit
        /// Abort instead and commit nothing until the group has spoken or a session timeout
        /// passed: the worker may no longer own its splits. With `rewind`, rebuild every task
        /// from its last committed checkpoint and go on; without (the final checkpoint), stop.
        case abandon(reason: String, rewind: Bool)
    }

    /// What to do about one change of the assignment.
    enum ChangeAction: Equatable {
        /// Build the splits' tasks (restoring them), then start reading the splits.
        case build([Split])
        /// Checkpoint (or commit) every task, drop the splits' tasks, let the splits go.
        case checkpointThenRelease([Split])
        /// Abort the open transaction, drop the splits' tasks, let them go, rewind the others.
        case abortReleaseAndRewind([Split])
        /// Drop the splits' tasks without committing and let them go.
        case release([Split])
    }

    /// What to do after a failure.
    enum Recovery: Equatable {
        /// Abort, wait `delay`, then rewind (or, while starting, retry the step).
        case restart(after: Duration, attempt: Int)
        /// Stop the worker with the failure itself.
        case stop
        /// Stop the worker: `attempts` restarts in a row did not help.
        case giveUp(attempts: Int)
    }

    private(set) var state: State = .starting
    let settings: Settings
    /// Restarts since the last committed checkpoint; while starting, since the step began.
    private(set) var restartsInARow = 0
    private var lastCheckpoint: ContinuousClock.Instant?
    /// Commits wait until then, unless the group speaks first (any change of the assignment).
    private(set) var commitsHeldUntil: ContinuousClock.Instant?

    init(settings: Settings) {
        self.settings = settings
    }

    private var exactlyOnce: Bool { settings.guarantee == .exactlyOnce }

    // MARK: Starting

    /// A start-up step (connecting, creating topics, beginning the first transaction)
    /// succeeded: the next one gets its own restarts.
    mutating func startupStepSucceeded() {
        precondition(state == .starting, "start-up steps run only while starting, not in \(state)")
        restartsInARow = 0
    }

    /// The worker joined its group and built what it was assigned; rounds begin.
    mutating func joined(at now: ContinuousClock.Instant) {
        precondition(state == .starting, "a worker joins once, not in \(state)")
        state = .running
        restartsInARow = 0
        lastCheckpoint = now
    }

    // MARK: Rounds

    /// Before a round: a process frozen for `frozen` (longer than half a session) may have lost
    /// its splits to the group. Returns the reason to abandon the open work, or `nil` to run.
    mutating func roundStarting(at now: ContinuousClock.Instant, frozenFor frozen: Duration?) -> String? {
        precondition(state == .running, "rounds run only while running, not in \(state)")
        guard exactlyOnce, let frozen else { return nil }
        holdCommits(from: now)
        state = .rewinding(attempt: 0)
        return "the worker was frozen for \(frozen)"
    }

    /// A round ended. `inputsEnded`: the job's sources are bounded and every split this worker
    /// owns has ended. `drainingInput`: a bounded input has ended and exactly-once stages
    /// downstream wait for commit markers, which each checkpoint brings. `checkpointRequested`:
    /// a checkpoint was asked for (``Job/requestCheckpoint()``), whatever the interval says.
    mutating func roundEnded(at now: ContinuousClock.Instant, stopRequested: Bool, inputsEnded: Bool,
                             drainingInput: Bool, checkpointRequested: Bool = false) -> RoundAction {
        precondition(state == .running, "rounds run only while running, not in \(state)")
        if stopRequested || inputsEnded {
            state = .draining
            return .finish
        }
        let due = checkpointRequested || drainingInput || lastCheckpoint.map { now - $0 >= settings.checkpointInterval } ?? true
        guard due, mayCommit(at: now) else { return .nextRound }
        state = .checkpointing
        return .checkpoint
    }

    // MARK: Checkpoints

    /// A checkpoint's first phase is done. The worker must not commit work of splits it may no
    /// longer own: the group reports them lost, or the process was frozen meanwhile.
    mutating func checkpointPrepared(at now: ContinuousClock.Instant, assignmentLost: Bool,
                                     frozen: Bool) -> CommitDecision {
        precondition(state == .checkpointing || state == .draining, "no checkpoint is in progress in \(state)")
        guard exactlyOnce, assignmentLost || frozen else { return .commit }
        holdCommits(from: now)
        let reason = assignmentLost ? "the group reports this worker's assignment lost" : "the worker was frozen during the checkpoint"
        guard state == .checkpointing else { return .abandon(reason: reason, rewind: false) }
        state = .rewinding(attempt: 0)
        return .abandon(reason: reason, rewind: true)
    }

    /// A checkpoint (or commit) ended; `committed` when something was committed.
    mutating func checkpointEnded(at now: ContinuousClock.Instant, committed: Bool) {
        precondition(state == .checkpointing || state == .draining, "no checkpoint is in progress in \(state)")
        lastCheckpoint = now
        if committed { restartsInARow = 0 }
        if state == .checkpointing { state = .running }
    }

    // MARK: Membership

    /// The membership reported `change`; the group has spoken, so held commits go on.
    mutating func assignmentChanged(_ change: MembershipChange) -> ChangeAction {
        precondition(state == .running, "assignment changes are handled between rounds, not in \(state)")
        commitsHeldUntil = nil
        switch change {
        case .assigned(let splits):
            return .build(splits)
        case .revoked(let splits):
            state = .checkpointing
            return .checkpointThenRelease(splits)
        case .lost(let splits):
            guard exactlyOnce else { return .release(splits) }
            state = .rewinding(attempt: 0)
            return .abortReleaseAndRewind(splits)
        }
    }

    // MARK: Failures

    /// Something failed; `recoverable` when a restart from the last committed checkpoint can
    /// help (a broker away, a transaction that had to abort), not for a record's fault, a plan
    /// error or unreadable state. Only exactly-once workers restart: the others cannot rewind.
    mutating func failed(recoverable: Bool) -> Recovery {
        guard recoverable, exactlyOnce, state != .draining, state != .stopped else {
            state = .stopped
            return .stop
        }
        restartsInARow += 1
        guard let delay = settings.restartStrategy.delay(beforeAttempt: restartsInARow) else {
            state = .stopped
            return restartsInARow > 1 ? .giveUp(attempts: restartsInARow - 1) : .stop
        }
        if state != .starting { state = .rewinding(attempt: restartsInARow) }
        return .restart(after: delay, attempt: restartsInARow)
    }

    /// Every task was rebuilt from its last committed checkpoint; rounds go on.
    mutating func rewound() {
        guard case .rewinding = state else { preconditionFailure("nothing to rewind in \(state)") }
        state = .running
    }

    /// The worker left its group and closed.
    mutating func stopped() {
        state = .stopped
    }

    // MARK: Holding commits

    private mutating func holdCommits(from now: ContinuousClock.Instant) {
        commitsHeldUntil = now + (settings.sessionTimeout ?? .zero)
    }

    private mutating func mayCommit(at now: ContinuousClock.Instant) -> Bool {
        guard let held = commitsHeldUntil else { return true }
        guard now >= held else { return false }
        commitsHeldUntil = nil
        return true
    }
}
