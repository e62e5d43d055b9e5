import CoreMetrics
import Foundation
import Logging

/// The loop that drives one worker of a job; the membership, the sources and the commit
/// strategy only report to it.
///
/// ``run()`` opens the worker through the job's ``JobRuntime``, joins the group, and repeats a
/// **round** on the calling thread (the driver thread) until the job stops:
///
/// 1. poll every source once and hand each split's records to its task;
/// 2. run the tasks stage by stage (``RoundRunner``);
/// 3. act on every change the membership recorded meanwhile: build and restore the tasks of
///    assigned splits, then start reading them; checkpoint, drop and release revoked splits;
///    abort, drop and rewind after lost ones (``Worker+Membership``);
/// 4. ask the ``WorkerStateMachine`` what next: another round, a checkpoint
///    (``CommitStrategy``), or the end.
///
/// Nothing runs inside a librdkafka callback: a rebalance callback only records its change.
/// What the worker does after a failure, the state machine decides: abort, wait, rewind every
/// task to its last committed checkpoint (``Worker+Recovery``), or stop.
final class Worker {
    let plan: JobPlan
    let configuration: JobConfiguration
    let stopSignal: StopSignal
    private let checkpointRequest: CheckpointRequest
    var logger: Logger
    let clock = ContinuousClock()
    let sources: [(binding: AnySourceBinding, nodeID: Int)]
    private let graph: LogicalGraph
    private let stageOf: [Int]
    private let runtime: any JobRuntime
    private let sinks: [any Sink]
    private let provenance = ProvenanceRegistry()
    let recordsWritten = RecordCounter()

    var machine: WorkerStateMachine
    var services: WorkerServices!
    var tasks: TaskRegistry!
    var strategy: (any CommitStrategy)!
    var metrics = JobMetrics()
    var workerMetrics: WorkerMetrics!
    var rebalances: RebalanceRecorder
    var watchdog: FreezeWatchdog?
    private var status: StatusReporter?

    init(plan: JobPlan, graph: LogicalGraph, stageOf: [Int], configuration: JobConfiguration, runtime: any JobRuntime,
         sinks: [any Sink], stopSignal: StopSignal, checkpointRequest: CheckpointRequest) {
        self.plan = plan
        self.graph = graph
        self.stageOf = stageOf
        self.configuration = configuration
        self.runtime = runtime
        var allSinks = sinks
        if case .deadLetter(let sink) = configuration.badInputPolicy { allSinks.append(sink) }
        self.sinks = allSinks
        self.stopSignal = stopSignal
        self.checkpointRequest = checkpointRequest
        logger = Logger(label: "sluice.job")
        logger[metadataKey: "job"] = "\(plan.jobName)"
        rebalances = RebalanceRecorder(observer: configuration.rebalanceObserver)
        sources = graph.nodes.compactMap { node in
            if case .source(let binding) = node.kind { (binding, node.id) } else { nil }
        }
        machine = WorkerStateMachine(settings: .init(
            guarantee: runtime.guarantee, checkpointInterval: configuration.checkpointInterval,
            restartStrategy: configuration.restartStrategy, sessionTimeout: nil))
    }

    var exactlyOnce: Bool { runtime.guarantee == .exactlyOnce }

    /// Runs the worker until its bounded sources end, it is asked to stop, or a failure stops it.
    func run() throws -> JobMetrics {
        if exactlyOnce, plan.mode == .local {
            throw JobError.invalidPlan(
                "exactly-once checkpoints need a distributed job (Kafka sources); this one reads only in-process sources")
        }
        services = try startupStep("connecting the worker") { try runtime.openWorker(plan: plan) }
        defer { services.close() }
        try open()
        defer { watchdog?.cancel() }
        do {
            let available = try registerSplits()
            try startupStep("preparing internal topics") { try prepareTopics(sourceSplits: available) }
            try services.membership.join(available: available)
            let initial = try services.membership.takeChanges()
            let local = try tasks.buildLocalExchanges(initial: initial.flatMap { change -> [Split] in
                if case .assigned(let splits) = change { splits } else { [] }
            })
            try startupStep("beginning a transaction") { try strategy.begin(tasks: tasks.allTasks) }
            try strategy.tasksJoined(local, all: tasks.allTasks)
            machine.joined(at: clock.now)
            do {
                try handle(initial)
            } catch {
                try recover(from: error)
            }
            try runRounds()
            try handOver(after: finalCheckpoint)
        } catch {
            strategy.stopFailing(error, tasks: tasks.allTasks, logger: logger)
            finish()
            throw error
        }
        finish()
        metrics.recordsWritten = recordsWritten.count
        return metrics
    }

    /// Builds the worker's parts from the services it opened.
    private func open() throws {
        logger[metadataKey: "worker"] = "\(services.workerID)"
        workerMetrics = WorkerMetrics(
            job: plan.jobName, worker: services.workerID, factory: configuration.metricsFactory ?? MetricsSystem.factory)
        machine = WorkerStateMachine(settings: .init(
            guarantee: runtime.guarantee, checkpointInterval: configuration.checkpointInterval,
            restartStrategy: configuration.restartStrategy, sessionTimeout: services.membership.sessionTimeout))
        var checkpoints: TaskBuilder.Checkpoints?
        if exactlyOnce {
            guard let log = services.checkpointLog else {
                throw JobError.unsupported("the runtime offers exactly-once but no checkpoint log")
            }
            let coordinator = CheckpointCoordinator(
                commitPoint: services.commitPoint, log: log, observer: configuration.checkpointObserver, metrics: workerMetrics)
            coordinator.logger = logger
            checkpoints = TaskBuilder.Checkpoints(log: log, coordinator: coordinator)
            strategy = ExactlyOnceCommits(coordinator: coordinator)
            watchdog = services.membership.sessionTimeout.map { FreezeWatchdog(threshold: $0 / 2) }
        } else {
            strategy = PositionCommits(commitPoint: services.commitPoint, guarantee: runtime.guarantee, metrics: workerMetrics)
        }
        let builder = TaskBuilder(
            job: .init(
                name: plan.jobName, workerID: services.workerID, guarantee: runtime.guarantee, graph: graph, stageOf: stageOf,
                configuration: configuration, sources: sources, provenance: provenance, metrics: workerMetrics,
                recordsWritten: recordsWritten),
            checkpoints: checkpoints)
        builder.logger = logger
        tasks = TaskRegistry(plan: plan, graph: graph, stageOf: stageOf, sources: sources, builder: builder)
        if let interval = configuration.statusInterval {
            status = StatusReporter(interval: interval, exactlyOnce: exactlyOnce, now: clock.now)
        }
    }

    /// Every split of the job's sources, noted with the source that reads it.
    private func registerSplits() throws -> [Split] {
        var available: [Split] = []
        for (index, source) in sources.enumerated() {
            let splits = try source.binding.splits()
            tasks.register(splits, source: index)
            available += splits
        }
        return available
    }

    private func prepareTopics(sourceSplits: [Split]) throws {
        if plan.mode == .distributed { tasks.numberSourceSplits(sourceSplits) }
        if plan.mode == .distributed, !plan.exchanges.isEmpty {
            guard let transport = services.exchangeTransport else {
                throw JobError.unsupported(
                    "keyBy exchanges over Kafka need repartition topics (\(plan.repartitionTopics.joined(separator: ", "))), but the runtime offers no exchange transport")
            }
            try tasks.prepareRepartitionTopics(transport: transport, exactlyOnce: exactlyOnce)
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

    private func runRounds() throws {
        let runner = RoundRunner(threads: configuration.threads)
        while true {
            do {
                if let frozen = machine.roundStarting(at: clock.now, frozenFor: watchdog?.takeFreeze()) {
                    try abandon(reason: frozen)
                }
                let polled = try poll()
                let now = configuration.clock.now()
                try runner.run(tasks.stages, now: now)
                // Every record polled this round went through the whole job.
                strategy.roundHandled(polled)
                tasks.noteEndedTasks()
                metrics.rounds += 1
                try handle(try services.membership.takeChanges())
                let bounded = sources.allSatisfy { $0.binding.isBounded }
                let action = machine.roundEnded(
                    at: clock.now, stopRequested: stopSignal.isRequested, inputsEnded: bounded && tasks.allOwnedEnded,
                    drainingInput: exactlyOnce && bounded && tasks.someInputEnded,
                    checkpointRequested: checkpointRequest.isRequested)
                switch action {
                case .nextRound: break
                case .finish: return
                case .checkpoint:
                    checkpointRequest.clear()
                    sampleGauges(now: now)
                    try checkpoint()
                }
                reportStatus()
            } catch {
                try recover(from: error)
            }
        }
    }

    /// Polls every source once, handing records to the tasks of the splits they belong to;
    /// returns, per split, the position after the last record handed out.
    private func poll() throws -> [Split: Int64] {
        var positions: [Split: Int64] = [:]
        for source in sources {
            let polled = try source.binding.pollAndDeliver(maxRecords: configuration.batchSize, timeout: configuration.pollTimeout)
            positions.merge(polled.positions) { max($0, $1) }
            tasks.noteFirstOffsets(polled.firstOffsets)
            tasks.markEnded(polled.ended)
            metrics.recordsRead += polled.count
            for (split, count) in polled.counts { tasks.task(reading: split)?.metrics?.read(count) }
        }
        return positions
    }

    // MARK: Checkpoints

    /// One checkpoint (or commit) of every task: phase one, the ownership check, the decision.
    func checkpoint() throws {
        guard let prepared = try strategy.prepare(tasks: tasks.allTasks) else {
            machine.checkpointEnded(at: clock.now, committed: false)
            return
        }
        let decision = machine.checkpointPrepared(
            at: clock.now, assignmentLost: services.membership.assignmentLost, frozen: watchdog?.sawFreeze ?? false)
        if case .abandon(let reason, let rewind) = decision {
            try abandonPrepared(reason: reason, rewind: rewind)
            return
        }
        let committed = try strategy.commit(prepared, tasks: tasks.allTasks)
        if committed { metrics.commits += 1 }
        machine.checkpointEnded(at: clock.now, committed: committed)
    }

    private func finalCheckpoint() throws {
        try strategy.begin(tasks: tasks.allTasks)
        try checkpoint()
    }

    private func finish() {
        do {
            try services.membership.leave()
        } catch {
            logger.warning("job \(plan.jobName): leaving the group: \(error)")
        }
        do {
            try strategy.finish(tasks: tasks.allTasks)
        } catch {
            logger.warning("job \(plan.jobName): \(error)")
        }
        for task in tasks.allTasks { count(task) }
        for source in sources { source.binding.close() }
        for sink in sinks { sink.close() }
        services.exchangeTransport?.close()
        machine.stopped()
    }

    func count(_ task: Task) {
        metrics.skippedRecords += task.failures.skipped
        metrics.deadLetteredRecords += task.failures.deadLettered
        task.metrics?.noteFailures(skipped: task.failures.skipped, deadLettered: task.failures.deadLettered)
    }

    // MARK: Metrics

    /// Sets every task's consumer lag and watermark lag, once per checkpoint interval: the end
    /// offsets come from what the sources already know, never from a broker round trip. `now`
    /// is the round's processing time (reading the clock again would move a test's clock).
    private func sampleGauges(now: Int64) {
        let inputs = tasks.ownedInputs
        if !inputs.isEmpty {
            for source in sources {
                guard let reporter = source.binding.offsetsReporting else { continue }
                for (split, offsets) in reporter.splitOffsets(inputs) {
                    guard let task = tasks.task(reading: split),
                          let position = task.head.inputPosition ?? offsets.position else { continue }
                    task.metrics?.setLag(end: offsets.end, position: position)
                }
            }
        }
        for task in tasks.allTasks {
            guard let watermark = task.head.currentWatermark, watermark != .max else { continue }
            task.metrics?.setWatermarkLag(milliseconds: now - watermark)
        }
    }

    /// Logs the worker's status line when one is due.
    private func reportStatus() {
        guard var reporter = status else { return }
        let now = clock.now
        reporter.note(checkpoints: metrics.commits, now: now)
        if let line = reporter.line(job: plan.jobName, worker: services.workerID, read: metrics.recordsRead,
                                    written: recordsWritten.count, lag: nil, now: now) {
            Logger(label: StatusLine.loggerLabel).notice("\(line.text)", metadata: line.metadata)
        }
        status = reporter
    }
}
