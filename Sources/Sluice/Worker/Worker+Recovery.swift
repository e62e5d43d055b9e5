import Foundation

/// How the worker comes back from failures: the state machine decides, the worker aborts,
/// waits and rewinds every task to its last committed checkpoint.
extension Worker {
    /// Acts on a failure of a round, a checkpoint or a rewind: restarts from the last committed
    /// checkpoint after the restart strategy's delay, or rethrows when it cannot help, gives up,
    /// or the job was asked to stop meanwhile.
    func recover(from error: any Error) throws {
        switch machine.failed(recoverable: isRecoverable(error)) {
        case .stop:
            throw error
        case .giveUp(let attempts):
            throw JobError.restartsExhausted(attempts: attempts, last: error)
        case .restart(let delay, let attempt):
            logger.warning("job \(plan.jobName): \(error); restarting from the last committed checkpoint in \(delay) (attempt \(attempt))")
            configuration.checkpointObserver?(.restarting(attempt: attempt, delay: delay, error: "\(error)"))
            strategy.abort(reason: "\(error)", tasks: tasks.allTasks)
            metrics.restarts += 1
            workerMetrics.restarted()
            sleep(delay)
            guard !stopSignal.isRequested else { throw error }
            do {
                try rewind()
            } catch {
                try recover(from: error)
            }
        }
    }

    /// The worker may have lost its splits (it was frozen, or the group reports its assignment
    /// lost): aborts what is open and rewinds every task; the state machine holds commits until
    /// the group has spoken or a session timeout passed.
    func abandon(reason: String) throws {
        logger.warning("job \(plan.jobName): \(reason); aborting the open transaction and waiting for the group before committing again")
        strategy.abort(reason: reason, tasks: tasks.allTasks)
        try rewind()
    }

    /// ``abandon(reason:)`` after a prepared checkpoint the worker must not commit; the final
    /// checkpoint is only aborted.
    func abandonPrepared(reason: String, rewind: Bool) throws {
        guard rewind else {
            logger.warning("job \(plan.jobName): \(reason); aborting the final checkpoint")
            strategy.abort(reason: reason, tasks: tasks.allTasks)
            return
        }
        try abandon(reason: reason)
    }

    /// Rebuilds every task from its last committed checkpoint this worker knows (a new
    /// incarnation of each), moves each split's source back to that checkpoint's position, or to
    /// where the task started reading when it never committed one, and opens the next interval.
    /// Splits whose build failed before (an assignment or an earlier rewind whose restore could
    /// not read) are built too; assigned ones only then start to be read.
    func rewind() throws {
        tasks.dropAllForRewind()
        let awaiting = tasks.awaitingBuild
        let rewound = awaiting.filter { $0.value != .assigned }.map(\.key)
        let assigned = awaiting.filter { $0.value == .assigned }.map(\.key)
        var points = try restorePoints(for: rewound, rewinding: true)
        points.merge(try restorePoints(for: assigned, rewinding: false)) { known, _ in known }
        // One split at a time: each task built is moved back (or started) at once, so a build
        // that fails leaves every split either consistent or awaiting its build.
        var built: [Task] = []
        for split in awaiting.keys.sorted() {
            guard let (task, start) = try tasks.build([split], restoring: points).first else { continue }
            built.append(task)
            switch awaiting[split] {
            case .rewound(let startedAt):
                if let target = start.position ?? startedAt { try tasks.source(of: split)?.seek(split, to: target) }
            case .assigned, nil:
                try startReading(try committedStarts([start]))
            }
        }
        try strategy.tasksJoined(built, all: tasks.allTasks)
        machine.rewound()
    }

    /// Whether a restart can help with `error`: not with a record's fault, a plan error, state
    /// that cannot be restored, or a fatal connector error, even when a connector wraps it.
    func isRecoverable(_ error: any Error) -> Bool {
        switch error {
        case is RecordFailure, is CheckpointError, is StateError, is CheckpointFormatError: return false
        case JobError.invalidPlan, JobError.unsupported, JobError.restartsExhausted: return false
        case JobError.connectorFailed(_, let underlying):
            return !underlying.isFatalConnectorError && isRecoverable(underlying)
        default: return !error.isFatalConnectorError
        }
    }

    /// Runs a start-up step, retrying recoverable failures as the restart strategy allows.
    func startupStep<T>(_ what: String, _ body: () throws -> T) throws -> T {
        while true {
            do {
                let result = try body()
                machine.startupStepSucceeded()
                return result
            } catch {
                switch machine.failed(recoverable: isRecoverable(error)) {
                case .stop: throw error
                case .giveUp(let attempts): throw JobError.restartsExhausted(attempts: attempts, last: error)
                case .restart(let delay, let attempt):
                    logger.warning("job \(plan.jobName): \(what): \(error); retrying in \(delay) (attempt \(attempt))")
                    configuration.checkpointObserver?(.restarting(attempt: attempt, delay: delay, error: "\(what): \(error)"))
                    metrics.restarts += 1
                    workerMetrics?.restarted()
                    sleep(delay)
                    if stopSignal.isRequested { throw error }
                }
            }
        }
    }

    /// Sleeps `delay`, waking early when the job is asked to stop.
    func sleep(_ delay: Duration) {
        let until = clock.now + delay
        while clock.now < until, !stopSignal.isRequested {
            Thread.sleep(forTimeInterval: min(0.05, (until - clock.now).seconds))
        }
    }
}
