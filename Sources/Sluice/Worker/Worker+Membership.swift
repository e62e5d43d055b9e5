/// How the worker acts on its membership's changes, between two rounds: the membership only
/// recorded them.
extension Worker {
    /// Acts on each change in order, timing the pause it causes (``RebalanceEvent``).
    func handle(_ changes: [MembershipChange]) throws {
        for change in changes {
            try record(change) {
                switch machine.assignmentChanged(change) {
                case .build(let splits): try assign(splits)
                case .checkpointThenRelease(let splits): try revoke(splits)
                case .abortReleaseAndRewind(let splits): try lose(splits)
                case .release(let splits): try release(splits)
                }
            }
        }
    }

    /// The end of a run: `checkpoint` (the final one), then every split let go, reported as one
    /// revoke, so the group hands them to other members at once when the worker leaves.
    func handOver(after checkpoint: () throws -> Void) throws {
        let owned = tasks.owned.sorted()
        guard !owned.isEmpty else { return try checkpoint() }
        try record(.revoked(owned)) {
            try checkpoint()
            // Leaving the group lets the splits go; the membership does it as it leaves.
            try release(owned, lettingGo: false)
        }
    }

    /// Runs `body`, the worker acting on `change`, and reports the change with the pause it
    /// caused and what it restored and committed.
    private func record(_ change: MembershipChange, _ body: () throws -> Void) throws {
        let pausedBefore = rebalances.totalPause
        let builder = tasks.builder
        try rebalances.record(
            change.kind, change.splits,
            counters: { .init(restoredTasks: builder.restoredTasks, restoredBytes: builder.restoredBytes, commits: metrics.commits) },
            ownedSplits: { tasks.owned.count }, handle: body)
        metrics.rebalances = rebalances.count
        metrics.rebalancePause = rebalances.totalPause
        workerMetrics.rebalanced(change.kind, pause: rebalances.totalPause - pausedBefore)
        configuration.assignmentObserver?(tasks.owned)
    }

    /// Builds the tasks of assigned splits, restoring each from its committed checkpoint, and
    /// only then tells their sources where to start reading.
    private func assign(_ splits: [Split]) throws {
        guard tasks.allowsReassignment || rebalances.count == 0 else {
            throw JobError.unsupported("changing the assignment of a job with in-process exchanges")
        }
        // Until built, they await their build: a restore that fails is retried by the rewind
        // that follows the failure.
        tasks.awaitBuild(assigned: splits)
        let points = try restorePoints(for: splits, rewinding: false)
        // One split at a time: each task built is read at once, so a build that fails leaves
        // every split either built and read, or awaiting its build.
        var built: [Task] = []
        for split in splits.sorted() {
            guard let (task, start) = try tasks.build([split], restoring: points).first else { continue }
            built.append(task)
            try startReading(try committedStarts([start]))
        }
        try strategy.tasksJoined(built, all: tasks.allTasks)
    }

    /// `starts`, where splits without a checkpoint position of sources that keep no positions of
    /// their own (``Source/startsAtCommittedPosition``) start at the position last committed.
    func committedStarts(_ starts: [SplitStart]) throws -> [SplitStart] {
        let lookup = starts.filter { $0.position == nil && tasks.source(of: $0.split)?.startsAtCommittedPosition == true }
        guard !lookup.isEmpty else { return starts }
        let committed: [Split: Int64]
        do {
            committed = try services.commitPoint.committedPositions(for: lookup.map(\.split))
        } catch {
            throw JobError.connectorFailed("reading committed positions", underlying: error)
        }
        return starts.map { $0.position == nil ? SplitStart($0.split, at: committed[$0.split]) : $0 }
    }

    /// An orderly revoke: checkpoints every task (or commits their positions) before letting the
    /// splits go, so the next owner resumes exactly there.
    private func revoke(_ splits: [Split]) throws {
        do {
            try checkpoint()
        } catch {
            // The next owner restores from the last committed checkpoint; the failure then
            // rewinds (or stops) the rest of this worker.
            logger.warning("job \(plan.jobName): checkpoint before revoking \(splits.sorted()): \(error); aborting")
            strategy.abort(reason: "\(error)", tasks: tasks.allTasks)
            try release(splits)
            throw error
        }
        try release(splits)
    }

    /// Splits lost without an orderly hand-over: another worker may own them already. Aborts the
    /// open transaction, which holds their work, and rewinds the other tasks.
    private func lose(_ splits: [Split]) throws {
        logger.warning("job \(plan.jobName): lost \(splits.sorted()) to the group; aborting the open transaction")
        strategy.abort(reason: "lost \(splits.count) splits", tasks: tasks.allTasks)
        try release(splits)
        try rewind()
    }

    /// Drops the splits' tasks and, `lettingGo`, lets their sources stop reading them.
    private func release(_ splits: [Split], lettingGo: Bool = true) throws {
        let removed = tasks.remove(splits)
        strategy.tasksLeft(removed)
        for task in removed { count(task) }
        guard lettingGo else { return }
        var bySource: [ObjectIdentifier: (source: AnySourceBinding, splits: [Split])] = [:]
        for split in splits {
            guard let source = tasks.source(of: split) else { continue }
            bySource[ObjectIdentifier(source), default: (source, [])].splits.append(split)
        }
        for (source, owned) in bySource.values { try source.revoke(owned.sorted()) }
    }

    /// Tells each split's source where to start reading it.
    func startReading(_ starts: [SplitStart]) throws {
        var bySource: [ObjectIdentifier: (source: AnySourceBinding, starts: [SplitStart])] = [:]
        for start in starts {
            guard let source = tasks.source(of: start.split) else { continue }
            bySource[ObjectIdentifier(source), default: (source, [])].starts.append(start)
        }
        for (source, starts) in bySource.values {
            try source.assign(starts)
            tasks.markReading(starts.map(\.split))
        }
    }

    /// Per split about to get a task, the committed checkpoint the task restores from
    /// (exactly-once; none otherwise).
    func restorePoints(for splits: [Split], rewinding: Bool) throws -> [Split: RestorePlanner.RestorePoint] {
        guard strategy.checkpointsState, let log = services.checkpointLog else { return [:] }
        let planner = RestorePlanner(
            jobName: plan.jobName, log: log, commitPoint: services.commitPoint,
            resetsUnreadableState: configuration.resetsUnreadableState, observer: configuration.checkpointObserver, logger: logger)
        return try planner.restorePoints(for: tasks.taskIDs(for: splits), rewinding: rewinding, knownPointer: strategy.knownPointer)
    }
}
