import Dispatch
import Logging

/// A planned job, ready to run on this worker.
///
/// ## The driver loop
///
/// ``run()`` turns the calling thread into the worker's **driver thread**. It joins the
/// ``Membership`` (whose assignments create the source tasks), creates the exchanges and the
/// tasks behind them, then repeats a **round**:
///
/// 1. poll every source once (driver thread) and hand each split's records to its task;
/// 2. run the tasks stage by stage: all tasks of a stage run in parallel on the thread pool,
///    each pushing processing time, its batch and its watermark synchronously through its chain;
///    the next stage starts when the whole stage is done;
/// 3. record, per split, the position after the last record of the round, since every one of
///    those records has now been processed, skipped or dead-lettered;
/// 4. at each commit interval: flush every sink, then commit those positions.
///
/// It ends when every split of its bounded sources has ended (their final watermark fires every
/// pending window and event-time timer), or after ``stop()``: the current round finishes, sinks
/// are flushed, positions committed and the membership left. When a round fails, the positions
/// of earlier rounds are committed and the error is rethrown; nothing of the failing round is.
public final class Job {
    /// The physical plan this job runs.
    public let plan: JobPlan
    /// Stops the job from any thread.
    public let stopSignal = StopSignal()
    private let logger = Logger(label: "sluice.job")

    private let graph: LogicalGraph
    private let configuration: JobConfiguration
    private let membership: any Membership
    private let commitPoint: any CommitPoint
    private let sinks: [any Sink]
    private let stageOf: [Int]
    private let sources: [(binding: AnySourceBinding, nodeID: Int)]
    private let provenance = ProvenanceRegistry()
    private var splitOwner: [Split: Int] = [:]
    private var tasksByStage: [[Task]]
    private var exchanges: [Int: AnyObject] = [:]
    private var pipelineBuilt = false
    private var pendingAssignment: [Split] = []
    private var ownedSplits: Set<Split> = []
    private var endedSplits: Set<Split> = []
    private var handled: [Split: Int64] = [:]
    private var committed: [Split: Int64] = [:]
    private var nextSourceTask = 0
    private var metrics = JobMetrics()
    private var ran = false

    init(plan: JobPlan, graph: LogicalGraph, stageOf: [Int], configuration: JobConfiguration,
         membership: any Membership, commitPoint: any CommitPoint, sinks: [any Sink]) {
        self.plan = plan
        self.graph = graph
        self.stageOf = stageOf
        self.configuration = configuration
        self.membership = membership
        self.commitPoint = commitPoint
        var allSinks = sinks
        if case .deadLetter(let sink) = configuration.badInputPolicy { allSinks.append(sink) }
        self.sinks = allSinks
        sources = graph.nodes.compactMap { node in
            if case .source(let binding) = node.kind { (binding, node.id) } else { nil }
        }
        tasksByStage = Array(repeating: [], count: plan.stages.count)
    }

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
        if plan.mode == .distributed, !plan.exchanges.isEmpty {
            throw JobError.unsupported(
                "keyBy exchanges over Kafka need repartition topics (\(plan.repartitionTopics.joined(separator: ", "))), which this engine build does not run yet")
        }
        var available: [Split] = []
        for (index, source) in sources.enumerated() {
            for split in try source.binding.splits() {
                splitOwner[split] = index
                available.append(split)
            }
        }
        let listener = Listener(job: self)
        do {
            try membership.join(listener: listener, available: available)
            try buildPipeline()
            try commitPoint.begin()
            try loop()
            try flushSinks()
            try commit(positions: handled)
        } catch {
            // Earlier rounds were fully handled: committing them is safe and spares a replay.
            // The original failure is what the caller needs; a second one is only logged.
            do {
                try flushSinks()
                try commit(positions: handled)
            } catch let secondary {
                logger.warning("job \(plan.jobName): committing completed rounds after a failure: \(secondary)")
            }
            finish()
            throw error
        }
        finish()
        return metrics
    }

    private func loop() throws {
        let clock = ContinuousClock()
        var lastCommit = clock.now
        while !stopSignal.isRequested {
            var roundPositions: [Split: Int64] = [:]
            for source in sources {
                let polled = try source.binding.pollAndDeliver(
                    maxRecords: configuration.batchSize, timeout: configuration.pollTimeout)
                roundPositions.merge(polled.positions) { max($0, $1) }
                endedSplits.formUnion(polled.ended)
                metrics.recordsRead += polled.count
            }
            let now = configuration.clock.now()
            for stage in tasksByStage.indices {
                try runPhase(tasksByStage[stage], now: now)
            }
            handled.merge(roundPositions) { max($0, $1) }
            metrics.rounds += 1
            // A group member learns its splits only after joining, so a bounded run ends once
            // it has owned splits and all of them ended, not while it still owns none.
            if sources.allSatisfy({ $0.binding.isBounded }), !ownedSplits.isEmpty, ownedSplits.isSubset(of: endedSplits) {
                return
            }
            if clock.now - lastCommit >= configuration.commitInterval {
                try flushSinks()
                try commit(positions: handled)
                lastCommit = clock.now
            }
        }
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

    private func flushSinks() throws {
        for sink in sinks {
            do {
                try sink.flush()
            } catch {
                throw JobError.connectorFailed("flushing sink \(sink.name)", underlying: error)
            }
        }
    }

    /// Commits the positions that moved since the last commit. Callers flush sinks first.
    private func commit(positions: [Split: Int64]) throws {
        let moved = positions.filter { split, position in committed[split].map { position > $0 } ?? true }
        guard !moved.isEmpty else { return }
        do {
            try commitPoint.commit(Commit(positions: moved))
            try commitPoint.begin()
        } catch {
            throw JobError.connectorFailed("commit", underlying: error)
        }
        committed.merge(moved) { max($0, $1) }
        metrics.commits += 1
    }

    private func finish() {
        // Leaving may revoke splits, which counts and drops their tasks; count the rest after.
        do {
            try membership.leave()
        } catch {
            logger.warning("job \(plan.jobName): leaving the group: \(error)")
        }
        for stage in tasksByStage {
            for task in stage {
                metrics.skippedRecords += task.failures.skipped
                metrics.deadLetteredRecords += task.failures.deadLettered
            }
        }
        for source in sources { source.binding.close() }
        for sink in sinks { sink.close() }
    }

    // MARK: Building tasks

    private func buildPipeline() throws {
        let initial = pendingAssignment
        pendingAssignment = []
        let exchangeNodes = graph.nodes.filter { if case .exchange = $0.kind { true } else { false } }
        let partitions = plan.exchanges.first?.partitionCount ?? 1
        for node in exchangeNodes {
            guard case .exchange(let binding) = node.kind else { continue }
            let upstreamStage = stageOf[node.inputs[0]]
            let upstreamCount = upstreamStage == 0 ? initial.count : partitions
            exchanges[node.id] = binding.makeLocalExchange(upstreamCount: upstreamCount, partitionCount: partitions)
        }
        pipelineBuilt = true
        try addSourceTasks(for: initial)
        for node in exchangeNodes {
            guard case .exchange(let binding) = node.kind else { continue }
            let stage = stageOf[node.id]
            for partition in 0..<partitions {
                let failures = FailureHandler(policy: configuration.badInputPolicy, provenance: provenance)
                let id = TaskID(stage: stage, partition: partition)
                let builder = ChainBuilder(
                    graph: graph, context: TaskContext(taskID: id, failures: failures, stateBackend: configuration.stateBackend),
                    exchanges: exchanges)
                let head = try binding.makeHead(exchange: exchanges[node.id]!, partition: partition, builder: builder, nodeID: node.id)
                tasksByStage[stage].append(Task(id: id, head: head, failures: failures, split: nil))
            }
        }
    }

    private func addSourceTasks(for splits: [Split]) throws {
        for split in splits.sorted() {
            guard let owner = splitOwner[split], !ownedSplits.contains(split) else { continue }
            let source = sources[owner]
            let ordinal = nextSourceTask
            nextSourceTask += 1
            let (slotIndex, slot) = provenance.makeSlot()
            let failures = FailureHandler(policy: configuration.badInputPolicy, provenance: provenance)
            let id = TaskID(stage: 0, partition: ordinal)
            let builder = ChainBuilder(
                graph: graph, context: TaskContext(taskID: id, failures: failures, stateBackend: configuration.stateBackend),
                exchanges: exchanges)
            let head = try source.binding.makeHead(
                split: split, sourceTask: slotIndex, slot: slot, builder: builder, nodeID: source.nodeID)
            tasksByStage[0].append(Task(id: id, head: head, failures: failures, split: split))
            try source.binding.assign([split])
            ownedSplits.insert(split)
        }
    }

    fileprivate func splitsAssigned(_ splits: [Split]) throws {
        guard pipelineBuilt else {
            pendingAssignment += splits
            return
        }
        guard exchanges.isEmpty else {
            throw JobError.unsupported("changing the assignment of a job with in-process exchanges")
        }
        try addSourceTasks(for: splits)
    }

    fileprivate func splitsRevoked(_ splits: [Split]) throws {
        guard exchanges.isEmpty else {
            throw JobError.unsupported("changing the assignment of a job with in-process exchanges")
        }
        try flushSinks()
        try commit(positions: handled.filter { splits.contains($0.key) })
        let revoked = Set(splits)
        for task in tasksByStage[0] where task.split.map(revoked.contains) == true {
            metrics.skippedRecords += task.failures.skipped
            metrics.deadLetteredRecords += task.failures.deadLettered
        }
        tasksByStage[0].removeAll { $0.split.map(revoked.contains) == true }
        for (index, source) in sources.enumerated() {
            let owned = splits.filter { splitOwner[$0] == index }
            guard !owned.isEmpty else { continue }
            for split in owned { source.binding.dropHead(split: split) }
            try source.binding.revoke(owned)
        }
        ownedSplits.subtract(revoked)
        for split in splits { handled[split] = nil }
    }

    /// Keeps the membership callbacks off the public surface of ``Job``.
    private final class Listener: MembershipListener {
        unowned let job: Job

        init(job: Job) {
            self.job = job
        }

        func splitsAssigned(_ splits: [Split]) throws { try job.splitsAssigned(splits) }

        func splitsRevoked(_ splits: [Split]) throws { try job.splitsRevoked(splits) }
    }
}
