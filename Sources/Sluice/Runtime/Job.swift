import CoreMetrics
import Dispatch
import Foundation
import Logging

/// A planned job, ready to run on this worker.
///
/// ## The driver loop
///
/// ``run()`` turns the calling thread into the worker's **driver thread**. It opens the worker
/// through the job's ``JobRuntime`` (membership, commit point, exchanges, checkpoint log), joins
/// the group, whose assignments create the tasks (`TaskManager`), then repeats a **round**:
///
/// 1. poll every source once (driver thread) and hand each split's records to its task;
/// 2. run the tasks stage by stage: all tasks of a stage run in parallel on the thread pool,
///    each pushing processing time, its batch and its watermark synchronously through its chain;
///    the next stage starts when the whole stage is done;
/// 3. at each checkpoint interval, with every task at a batch boundary:
///    - exactly-once: `CheckpointCoordinator` commits every task's state, outputs and input
///      position in one transaction;
///    - at-least-once: sinks and repartition topics are flushed, then the positions of fully
///      handled records committed;
///    - none: positions are committed without waiting for outputs.
///
/// ## Failures
///
/// Under exactly-once, a failure that is not one record's fault (a broker away, a transaction
/// that must abort, a commit that timed out) aborts the open transaction and rewinds every task
/// to its last committed checkpoint, after a delay the ``RestartStrategy`` sets, which also
/// decides when to give up. A record that fails under the ``BadInputPolicy/fail`` policy, a
/// fenced producer, a plan error or an unreadable checkpoint stop the job at once. Under
/// at-least-once, the positions of earlier rounds are committed and the error is rethrown.
///
/// It ends when every split of its bounded sources has ended (their final watermark fires every
/// pending window and event-time timer), or after ``stop()``: the current round finishes, a
/// last checkpoint (or commit) is made and the membership left.
public final class Job {
    /// The physical plan this job runs.
    public let plan: JobPlan
    /// Stops the job from any thread.
    public let stopSignal = StopSignal()
    /// Carries `job` and, once the worker opened, `worker` metadata.
    private var logger = Logger(label: "sluice.job")
    private var status: StatusReporter?

    private let graph: LogicalGraph
    private let configuration: JobConfiguration
    private let runtime: any JobRuntime
    private let sinks: [any Sink]
    private let stageOf: [Int]
    private let sources: [(binding: AnySourceBinding, nodeID: Int)]
    private let provenance = ProvenanceRegistry()
    private var services: WorkerServices?
    private var tasks: TaskManager!
    private var coordinator: CheckpointCoordinator?
    private var handled: [Split: Int64] = [:]
    private var committed: [Split: Int64] = [:]
    private var metrics = JobMetrics()
    private var ran = false
    /// Counts rewinds, so a poll during which one happened discards its stale records.
    private var rewinds = 0
    /// Restarts since the last committed checkpoint.
    private var consecutiveRestarts = 0
    /// After the process was frozen longer than the group's patience, no commit until the
    /// group has spoken (a rebalance event) or a session timeout has passed.
    private var commitsHeldUntil: ContinuousClock.Instant?
    private var watchdog: FreezeWatchdog?
    private let clock = ContinuousClock()
    private let rebalances: RebalanceRecorder
    private var workerMetrics: WorkerMetrics!

    init(plan: JobPlan, graph: LogicalGraph, stageOf: [Int], configuration: JobConfiguration,
         runtime: any JobRuntime, sinks: [any Sink]) {
        self.plan = plan
        logger[metadataKey: "job"] = "\(plan.jobName)"
        self.graph = graph
        self.stageOf = stageOf
        self.configuration = configuration
        self.runtime = runtime
        var allSinks = sinks
        if case .deadLetter(let sink) = configuration.badInputPolicy { allSinks.append(sink) }
        self.sinks = allSinks
        rebalances = RebalanceRecorder(observer: configuration.rebalanceObserver)
        sources = graph.nodes.compactMap { node in
            if case .source(let binding) = node.kind { (binding, node.id) } else { nil }
        }
    }

    private var exactlyOnce: Bool { runtime.guarantee == .exactlyOnce }

    /// Asks the job to stop after its current round; same as `stopSignal.stop()`.
    public func stop() {
        stopSignal.stop()
    }

    /// Runs the job on the calling thread until its bounded sources end, ``stop()`` is called,
    /// or a failure stops it.
    @discardableResult
    public func run() throws -> JobMetrics {
        precondition(!ran, "a job runs once; build a new one to run again")
        ran = true
        if exactlyOnce, plan.mode == .local {
            throw JobError.invalidPlan(
                "exactly-once checkpoints need a distributed job (Kafka sources); this one reads only in-process sources")
        }
        let services = try withRestarts("connecting the worker") { try runtime.openWorker(plan: plan) }
        self.services = services
        logger[metadataKey: "worker"] = "\(services.workerID)"
        defer { services.close() }
        workerMetrics = WorkerMetrics(
            job: plan.jobName, worker: services.workerID, factory: configuration.metricsFactory ?? MetricsSystem.factory)
        if exactlyOnce {
            guard let log = services.checkpointLog else {
                throw JobError.unsupported("the runtime offers exactly-once but no checkpoint log")
            }
            coordinator = CheckpointCoordinator(
                commitPoint: services.commitPoint, log: log, observer: configuration.checkpointObserver,
                metrics: workerMetrics, flushOutputs: { [unowned self] in try flushOutputs() })
        }
        tasks = TaskManager(
            jobName: plan.jobName, plan: plan, graph: graph, stageOf: stageOf, configuration: configuration,
            sources: sources, provenance: provenance,
            checkpoints: coordinator.map { coordinator in
                TaskManager.Checkpoints(
                    log: services.checkpointLog!, commitPoint: services.commitPoint, coordinator: coordinator,
                    workerID: services.workerID, observer: configuration.checkpointObserver)
            },
            metrics: workerMetrics)
        for (key, value) in [("job", plan.jobName), ("worker", services.workerID)] {
            tasks.logger[metadataKey: key] = "\(value)"
            coordinator?.logger[metadataKey: key] = "\(value)"
        }
        watchdog = exactlyOnce ? services.membership.sessionTimeout.map { FreezeWatchdog(threshold: $0 / 2) } : nil
        defer { watchdog?.cancel() }
        var available: [Split] = []
        for (index, source) in sources.enumerated() {
            for split in try source.binding.splits() {
                tasks.register(split, source: index)
                available.append(split)
            }
        }
        let listener = Listener(job: self)
        do {
            try withRestarts("preparing internal topics") { try prepareTopics(services: services, sourceSplits: available) }
            try services.membership.join(listener: listener, available: available)
            try tasks.buildPipeline()
            if let coordinator {
                try withRestarts("beginning a transaction") {
                    if !coordinator.transactionOpen { try coordinator.begin(tasks: tasks.allTasks) }
                }
            } else {
                try services.commitPoint.begin()
            }
            try runWithRestarts()
            try finalCommit()
        } catch {
            if let coordinator {
                coordinator.abort(reason: "job failed: \(error)", tasks: tasks.allTasks)
            } else {
                // Earlier rounds were fully handled: committing them is safe and spares a replay.
                // The original failure is what the caller needs; a second one is only logged.
                do {
                    try flushOutputs()
                    try commit(positions: handled)
                } catch let secondary {
                    logger.warning("job \(plan.jobName): committing completed rounds after a failure: \(secondary)")
                }
            }
            finish(services: services)
            throw error
        }
        finish(services: services)
        metrics.recordsWritten = tasks.recordsWritten.count
        return metrics
    }

    private func prepareTopics(services: WorkerServices, sourceSplits: [Split]) throws {
        if plan.mode == .distributed { tasks.numberSourceSplits(sourceSplits) }
        if plan.mode == .distributed, !plan.exchanges.isEmpty {
            guard let transport = services.exchangeTransport else {
                throw JobError.unsupported(
                    "keyBy exchanges over Kafka need repartition topics (\(plan.repartitionTopics.joined(separator: ", "))), but the runtime offers no exchange transport")
            }
            try tasks.prepareRepartitionTopics(sourceSplits: sourceSplits, transport: transport, exactlyOnce: exactlyOnce)
        }
        if let log = services.checkpointLog, exactlyOnce {
            do {
                try log.ensureTopics(tasks.checkpointTopics)
            } catch {
                throw JobError.connectorFailed("creating checkpoint topics", underlying: error)
            }
        }
    }

    // MARK: Rounds

    private func runWithRestarts() throws {
        while true {
            do {
                try loop()
                return
            } catch where isRecoverable(error) {
                try restart(after: error)
            }
        }
    }

    /// Aborts, waits as the restart strategy says, and rewinds every task; rethrows `error`
    /// when the strategy gives up or the job was asked to stop.
    private func restart(after error: any Error) throws {
        consecutiveRestarts += 1
        guard let delay = configuration.restartStrategy.delay(beforeAttempt: consecutiveRestarts) else {
            throw consecutiveRestarts > 1 ? JobError.restartsExhausted(attempts: consecutiveRestarts - 1, last: error) : error
        }
        logger.warning("job \(plan.jobName): \(error); restarting from the last committed checkpoint in \(delay) (attempt \(consecutiveRestarts))")
        configuration.checkpointObserver?(.restarting(attempt: consecutiveRestarts, delay: delay, error: "\(error)"))
        coordinator?.abort(reason: "\(error)", tasks: tasks.allTasks)
        metrics.restarts += 1
        workerMetrics.restarted()
        sleep(delay)
        guard !stopSignal.isRequested else { throw error }
        do {
            try rewind()
        } catch where isRecoverable(error) {
            try restart(after: error)
        }
    }

    /// Whether a restart can help with `error`: not with a record's fault, a plan error, state
    /// that cannot be restored, or a fatal connector error, even when a connector wraps it.
    private func isRecoverable(_ error: any Error) -> Bool {
        guard exactlyOnce else { return false }
        switch error {
        case is RecordFailure, is CheckpointError, is StateError, is CheckpointFormatError: return false
        case JobError.invalidPlan, JobError.unsupported, JobError.restartsExhausted: return false
        case JobError.connectorFailed(_, let underlying):
            return !underlying.isFatalConnectorError && isRecoverable(underlying)
        default: return !error.isFatalConnectorError
        }
    }

    /// Runs `body`, retrying recoverable failures as the restart strategy allows.
    private func withRestarts<T>(_ what: String, _ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch where exactlyOnce && isRecoverable(error) {
                attempt += 1
                guard let delay = configuration.restartStrategy.delay(beforeAttempt: attempt) else {
                    throw attempt > 1 ? JobError.restartsExhausted(attempts: attempt - 1, last: error) : error
                }
                logger.warning("job \(plan.jobName): \(what): \(error); retrying in \(delay) (attempt \(attempt))")
                configuration.checkpointObserver?(.restarting(attempt: attempt, delay: delay, error: "\(what): \(error)"))
                metrics.restarts += 1
                workerMetrics?.restarted()  // nil while the worker is still connecting
                sleep(delay)
                if stopSignal.isRequested { throw error }
            }
        }
    }

    /// Sleeps `delay`, waking early when the job is asked to stop.
    private func sleep(_ delay: Duration) {
        let until = clock.now + delay
        while clock.now < until, !stopSignal.isRequested {
            Thread.sleep(forTimeInterval: min(0.05, (until - clock.now).seconds))
        }
    }

    private func loop() throws {
        var lastCheckpoint = clock.now
        if status == nil, let interval = configuration.statusInterval {
            status = StatusReporter(interval: interval, exactlyOnce: exactlyOnce, now: clock.now)
        }
        while !stopSignal.isRequested {
            if let frozen = watchdog?.takeFreeze() {
                try recoverFromFreeze(frozen)
            }
            let rewindsBefore = rewinds
            var roundPositions: [Split: Int64] = [:]
            for source in sources {
                let polled = try source.binding.pollAndDeliver(
                    maxRecords: configuration.batchSize, timeout: configuration.pollTimeout,
                    shouldDeliver: { rewinds == rewindsBefore })
                if rewinds != rewindsBefore { try tasks.resumeAfterDiscardedPoll(polled) }
                roundPositions.merge(polled.positions) { max($0, $1) }
                tasks.noteFirstOffsets(polled.firstOffsets)
                tasks.endedSplits.formUnion(polled.ended)
                metrics.recordsRead += polled.count
                for (split, count) in polled.counts { tasks.taskReading[split]?.metrics?.read(count) }
            }
            let now = configuration.clock.now()
            for stage in tasks.tasksByStage.indices {
                try runPhase(tasks.tasksByStage[stage], now: now)
            }
            for stage in tasks.tasksByStage {
                for task in stage { task.metrics?.noteFailures(skipped: task.failures.skipped, deadLettered: task.failures.deadLettered) }
            }
            for stage in tasks.tasksByStage.dropFirst() {
                for task in stage where task.head.hasEnded {
                    if let split = task.split { tasks.endedSplits.insert(split) }
                }
            }
            // Every record polled this round went through the whole job (at-least-once commits).
            handled.merge(roundPositions) { max($0, $1) }
            metrics.rounds += 1
            // A group member learns its splits only after joining, so a bounded run ends once
            // it has owned splits and all of them ended, not while it still owns none.
            let bounded = sources.allSatisfy { $0.binding.isBounded }
            if bounded, !tasks.ownedSplits.isEmpty, tasks.ownedSplits.isSubset(of: tasks.endedSplits) {
                return
            }
            // Once a bounded input is read, exactly-once stages downstream wait for commit
            // markers, which each checkpoint brings: checkpoint every round to drain fast.
            let draining = exactlyOnce && bounded && tasks.ownedSplits.contains { split in
                tasks.repartitionTopics[split.topic] == nil && tasks.endedSplits.contains(split)
            }
            if draining || clock.now - lastCheckpoint >= configuration.checkpointInterval {
                sampleGauges(now: now)
                try checkpointOrCommit()
                lastCheckpoint = clock.now
            }
            reportStatus()
        }
    }

    /// Logs the worker's status line when one is due.
    private func reportStatus() {
        guard var reporter = status else { return }
        let now = clock.now
        reporter.note(checkpoints: metrics.commits, now: now)
        if let line = reporter.line(job: plan.jobName, worker: services?.workerID ?? "", read: metrics.recordsRead,
                                    written: tasks.recordsWritten.count, lag: nil, now: now) {
            logger.info("\(line.text)")
        }
        status = reporter
    }

    private func runPhase(_ tasks: [Task], now: Int64) throws {
        if configuration.threads <= 1 || tasks.count <= 1 {
            for task in tasks { try task.head.runRound(now: now) }
            return
        }
        let work = PhaseWork(tasks: tasks, errors: LockedValue([]))
        DispatchQueue.concurrentPerform(iterations: tasks.count) { index in
            do {
                try work.tasks[index].head.runRound(now: now)
            } catch {
                work.errors.withLock { $0.append((index, error)) }
            }
        }
        if let first = work.errors.withLock({ $0.min { $0.0 < $1.0 } }) {
            throw first.1
        }
    }

    // MARK: Metrics

    /// Sets every task's consumer lag and watermark lag, once per checkpoint interval: the end
    /// offsets come from what the sources already know, never from a broker round trip. `now`
    /// is the round's processing time (reading the clock again would move a test's clock).
    private func sampleGauges(now: Int64) {
        let inputs = tasks.ownedSplits.filter { tasks.repartitionTopics[$0.topic] == nil }.sorted()
        if !inputs.isEmpty {
            for source in sources {
                guard let reporter = source.binding.offsetsReporting else { continue }
                for (split, offsets) in reporter.splitOffsets(inputs) {
                    guard let task = tasks.taskReading[split],
                          let position = task.head.inputPosition ?? offsets.position else { continue }
                    task.metrics?.setLag(end: offsets.end, position: position)
                }
            }
        }
        for stage in tasks.tasksByStage {
            for task in stage {
                guard let watermark = task.head.currentWatermark, watermark != .max else { continue }
                task.metrics?.setWatermarkLag(milliseconds: now - watermark)
            }
        }
    }

    // MARK: Checkpoints and commits

    private func checkpointOrCommit() throws {
        switch runtime.guarantee {
        case .exactlyOnce:
            try checkpoint()
        case .atLeastOnce:
            try flushOutputs()
            try commit(positions: handled)
        case .none:
            try commit(positions: handled)
        }
    }

    /// One exactly-once checkpoint of every task, unless the worker may have lost its splits.
    private func checkpoint() throws {
        guard let coordinator, let services else { return }
        if let held = commitsHeldUntil {
            guard clock.now >= held else { return }
            commitsHeldUntil = nil
        }
        if services.membership.assignmentLost {
            // The group took the splits away; the lost callback comes with the next poll.
            logger.warning("job \(plan.jobName): the group reports this worker's assignment lost; aborting instead of committing")
            coordinator.abort(reason: "assignment lost", tasks: tasks.allTasks)
            try rewind()
            return
        }
        do {
            if try coordinator.checkpoint(tasks: tasks.allTasks, mayCommit: mayCommit) != nil {
                consecutiveRestarts = 0
                metrics.commits += 1
                try coordinator.begin(tasks: tasks.allTasks)
            }
        } catch CheckpointError.ownershipInDoubt {
            try recoverFromFreeze(watchdog?.takeFreeze() ?? .zero)
        }
    }

    /// Asked right before a transaction commits: a worker that was frozen meanwhile, or whose
    /// group reports its assignment lost, must not commit.
    private func mayCommit() -> Bool {
        !(services?.membership.assignmentLost ?? false) && !(watchdog?.sawFreeze ?? false)
    }

    /// The process was frozen longer than half a session timeout (paused, swapped out): the
    /// group may have given its splits to others, who restore from the last committed
    /// checkpoint. Abort what is open, rewind to that checkpoint, and commit nothing until the
    /// group has spoken or a whole session timeout passed.
    private func recoverFromFreeze(_ frozen: Duration) throws {
        guard let coordinator else { return }
        let reason = frozen > .zero ? "the worker was frozen for \(frozen)" : "the group reports this worker's assignment lost"
        logger.warning("job \(plan.jobName): \(reason); aborting the open transaction and waiting for the group before committing again")
        coordinator.abort(reason: reason, tasks: tasks.allTasks)
        commitsHeldUntil = clock.now + (services?.membership.sessionTimeout ?? .zero)
        try rewind()
    }

    /// Rebuilds every task from its last committed checkpoint and begins a transaction.
    private func rewind() throws {
        guard let coordinator else { return }
        rewinds += 1
        let rebuilt = try tasks.rewind()
        if coordinator.transactionOpen {
            try coordinator.join(rebuilt)
        } else {
            try coordinator.begin(tasks: tasks.allTasks)
        }
    }

    /// Flushes the repartition topics and every sink: everything derived from the positions
    /// about to be committed must be durable first.
    private func flushOutputs() throws {
        if let transport = services?.exchangeTransport, !tasks.repartitionTopics.isEmpty {
            do {
                try transport.flush()
            } catch {
                throw JobError.connectorFailed("flushing repartition topics", underlying: error)
            }
        }
        for sink in sinks {
            do {
                try sink.flush()
            } catch {
                throw JobError.connectorFailed("flushing sink \(sink.name)", underlying: error)
            }
        }
    }

    /// Commits the positions that moved since the last commit (at-least-once and none).
    private func commit(positions: [Split: Int64]) throws {
        guard let services else { return }
        let moved = positions.filter { split, position in committed[split].map { position > $0 } ?? true }
        guard !moved.isEmpty else { return }
        do {
            let started = clock.now
            try services.commitPoint.commit(Commit(positions: moved))
            workerMetrics.committed(in: clock.now - started)
            try services.commitPoint.begin()
        } catch {
            throw JobError.connectorFailed("commit", underlying: error)
        }
        committed.merge(moved) { max($0, $1) }
        metrics.commits += 1
    }

    private func finalCommit() throws {
        if exactlyOnce {
            if coordinator?.transactionOpen == false { try coordinator?.begin(tasks: tasks.allTasks) }
            try checkpoint()
        } else {
            try checkpointOrCommit()
        }
    }

    private func finish(services: WorkerServices) {
        // Leaving may revoke splits, which checkpoints and drops their tasks; count the rest after.
        do {
            try services.membership.leave()
        } catch {
            logger.warning("job \(plan.jobName): leaving the group: \(error)")
        }
        if let coordinator {
            do {
                try coordinator.finish(tasks: tasks.allTasks)
            } catch {
                logger.warning("job \(plan.jobName): \(error)")
            }
        }
        for task in tasks.allTasks { count(task) }
        for source in sources { source.binding.close() }
        for sink in sinks { sink.close() }
        services.exchangeTransport?.close()
    }

    private func count(_ task: Task) {
        metrics.skippedRecords += task.failures.skipped
        metrics.deadLetteredRecords += task.failures.deadLettered
    }

    // MARK: Membership

    fileprivate func splitsAssigned(_ splits: [Split]) throws {
        commitsHeldUntil = nil
        let built = try tasks.assign(splits)
        try coordinator?.join(built)
    }

    /// Handles one change of the assignment through `handle`, timing the pause it causes.
    fileprivate func rebalance(_ change: RebalanceEvent.Change, _ splits: [Split], handle: () throws -> Void) throws {
        let pausedBefore = rebalances.totalPause
        try rebalances.record(
            change, splits,
            counters: { .init(restoredTasks: tasks.restoredTasks, restoredBytes: tasks.restoredBytes, commits: metrics.commits) },
            ownedSplits: { tasks.ownedSplits.count + tasks.pendingAssignment.count }, handle: handle)
        metrics.rebalances = rebalances.count
        metrics.rebalancePause = rebalances.totalPause
        workerMetrics.rebalanced(change, pause: rebalances.totalPause - pausedBefore)
    }

    fileprivate func reportAssignment() {
        configuration.assignmentObserver?(tasks.ownedSplits.union(tasks.pendingAssignment))
    }

    /// An orderly revoke: checkpoint every task (exactly-once) or flush and commit the revoked
    /// splits (at-least-once) before letting them go, so the next owner resumes exactly there.
    fileprivate func splitsRevoked(_ splits: [Split]) throws {
        commitsHeldUntil = nil
        if let coordinator {
            do {
                if coordinator.transactionOpen, try coordinator.checkpoint(tasks: tasks.allTasks, mayCommit: mayCommit) != nil {
                    metrics.commits += 1
                }
            } catch where isRecoverable(error) || error.isOwnershipInDoubt {
                // The next owner restores from the last committed checkpoint; the others rewind.
                logger.warning("job \(plan.jobName): checkpoint before revoking \(splits.sorted()): \(error); aborting")
                coordinator.abort(reason: "\(error)", tasks: tasks.allTasks)
                for task in try tasks.drop(splits) { count(task) }
                try rewind()
                return
            }
            for task in try tasks.drop(splits) { count(task) }
            if !coordinator.transactionOpen { try coordinator.begin(tasks: tasks.allTasks) }
            return
        }
        if runtime.guarantee == .atLeastOnce { try flushOutputs() }
        try commit(positions: handled.filter { splits.contains($0.key) })
        for task in try tasks.drop(splits) { count(task) }
        for split in splits { handled[split] = nil }
    }

    /// Splits lost without an orderly hand-over (the session expired): another worker may own
    /// them already. Exactly-once aborts the open transaction, which holds their work, and
    /// rewinds the other tasks; at-least-once drops them without committing.
    fileprivate func splitsLost(_ splits: [Split]) throws {
        commitsHeldUntil = nil
        if let coordinator {
            logger.warning("job \(plan.jobName): lost \(splits.sorted()) to the group; aborting the open transaction")
            coordinator.abort(reason: "lost \(splits.count) splits", tasks: tasks.allTasks)
            for task in try tasks.drop(splits) { count(task) }
            try rewind()
            return
        }
        for task in try tasks.drop(splits) { count(task) }
        for split in splits { handled[split] = nil }
    }

    /// Keeps the membership callbacks off the public surface of ``Job``.
    private final class Listener: MembershipListener {
        unowned let job: Job

        init(job: Job) {
            self.job = job
        }

        func splitsAssigned(_ splits: [Split]) throws {
            try job.rebalance(.assigned, splits) { try job.splitsAssigned(splits) }
            job.reportAssignment()
        }

        func splitsRevoked(_ splits: [Split]) throws {
            try job.rebalance(.revoked, splits) { try job.splitsRevoked(splits) }
            job.reportAssignment()
        }

        func splitsLost(_ splits: [Split]) throws {
            try job.rebalance(.lost, splits) { try job.splitsLost(splits) }
            job.reportAssignment()
        }
    }
}
