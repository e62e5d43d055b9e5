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
/// ## Distributed exchanges
///
/// In distributed mode a `keyBy` exchange is a repartition topic (`<job>-<stage>-repartition`),
/// created at start through the ``DistributedExchangeTransport``. The source that can read
/// internal topics (``InternalTopicSource``) subscribes to them next to its own, so the group
/// coordinator assigns input and repartition partitions across workers alike: a task is
/// (stage, partition), input splits feed stage 0 and the splits of stage k's repartition topic
/// feed stage k. Upstream tasks write their elements and watermarks to the topic within the
/// round; downstream tasks read them from a later poll, on whichever worker owns the partition.
/// The transport is flushed with the sinks before every commit, so the input positions
/// committed never run ahead of repartition records still in flight.
///
/// Keyed state is not checkpointed yet (at-least-once): a repartition partition moving to
/// another worker in a rebalance takes no window state with it.
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
    private let transport: (any DistributedExchangeTransport)?
    /// Distributed mode: the repartition topics by name, with the exchange node each feeds.
    private var repartitionTopics: [String: (topic: RepartitionTopic, nodeID: Int)] = [:]
    /// Distributed mode: each source split's index among all the job's source splits, which
    /// names its stage-0 task on every worker alike (the upstream index of watermarks).
    private var globalSplitIndex: [Split: Int] = [:]
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
         membership: any Membership, commitPoint: any CommitPoint, sinks: [any Sink],
         exchangeTransport: (any DistributedExchangeTransport)?) {
        self.plan = plan
        self.graph = graph
        self.stageOf = stageOf
        self.configuration = configuration
        self.membership = membership
        self.commitPoint = commitPoint
        transport = exchangeTransport
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
        if plan.mode == .distributed, !plan.exchanges.isEmpty, transport == nil {
            throw JobError.unsupported(
                "keyBy exchanges over Kafka need repartition topics (\(plan.repartitionTopics.joined(separator: ", "))); set StreamEnvironment.exchangeTransport (SluiceKafka's KafkaExchangeTransport)")
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
            if plan.mode == .distributed, !plan.exchanges.isEmpty {
                try prepareRepartitionTopics(sourceSplits: available)
            }
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
            for stage in tasksByStage.dropFirst() {
                for task in stage where task.head.hasEnded {
                    if let split = task.split { endedSplits.insert(split) }
                }
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

    /// Flushes the repartition topics and every sink: everything derived from the positions
    /// about to be committed must be durable first.
    private func flushSinks() throws {
        if let transport, !repartitionTopics.isEmpty {
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
        transport?.close()
    }

    // MARK: Building tasks

    /// Creates the repartition topics, lets the carrying source subscribe to them and routes
    /// their splits to it. Runs before joining, so the first assignment already includes them.
    private func prepareRepartitionTopics(sourceSplits: [Split]) throws {
        guard let transport else { return }
        guard let carrier = sources.firstIndex(where: { $0.binding.internalTopicSource != nil }),
              let subscriber = sources[carrier].binding.internalTopicSource else {
            throw JobError.unsupported(
                "keyBy exchanges in distributed mode need a source that can read repartition topics, such as KafkaSource")
        }
        for (index, split) in sourceSplits.sorted().enumerated() { globalSplitIndex[split] = index }
        for node in graph.nodes {
            guard case .exchange = node.kind else { continue }
            let stage = stageOf[node.id]
            guard let step = plan.exchanges.first(where: { $0.toStage == stage }),
                  case .repartitionTopic(let name) = step.kind else { continue }
            let topic = RepartitionTopic(
                name: name, partitionCount: step.partitionCount,
                upstreamCount: plan.stages[step.fromStage].taskCount, transport: transport)
            repartitionTopics[name] = (topic, node.id)
            exchanges[node.id] = topic
            for partition in 0..<step.partitionCount { splitOwner[Split(topic: name, partition: Int32(partition))] = carrier }
        }
        let topics = repartitionTopics.values.map(\.topic).sorted { $0.name < $1.name }
        do {
            try transport.ensureTopics(topics.map { InternalTopic(name: $0.name, partitionCount: $0.partitionCount) })
        } catch {
            throw JobError.connectorFailed("creating repartition topics", underlying: error)
        }
        try subscriber.subscribeInternalTopics(topics.map(\.name))
    }

    private func buildPipeline() throws {
        let initial = pendingAssignment
        pendingAssignment = []
        if !repartitionTopics.isEmpty {
            // Tasks behind repartition topics come and go with the assignment of their splits.
            pipelineBuilt = true
            try addSourceTasks(for: initial)
            return
        }
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
            if let repartition = repartitionTopics[split.topic] {
                try addRepartitionTask(split: split, topic: repartition.topic, nodeID: repartition.nodeID, source: source.binding)
                continue
            }
            // In process, exchanges number their upstream tasks in assignment order; across
            // workers, the split's place among all source splits names it everywhere alike.
            let ordinal = globalSplitIndex[split] ?? nextSourceTask
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

    private func addRepartitionTask(split: Split, topic: RepartitionTopic, nodeID: Int, source: AnySourceBinding) throws {
        guard case .exchange(let binding) = graph.nodes[nodeID].kind else { preconditionFailure("node \(nodeID) is no exchange") }
        let stage = stageOf[nodeID]
        let (slotIndex, slot) = provenance.makeSlot()
        let failures = FailureHandler(policy: configuration.badInputPolicy, provenance: provenance)
        let id = TaskID(stage: stage, partition: Int(split.partition))
        let builder = ChainBuilder(
            graph: graph, context: TaskContext(taskID: id, failures: failures, stateBackend: configuration.stateBackend),
            exchanges: exchanges)
        let head = try binding.makeRepartitionHead(
            topic: topic, split: split, sourceTask: slotIndex, slot: slot, builder: builder, nodeID: nodeID)
        try source.attach(head, split: split)
        tasksByStage[stage].append(Task(id: id, head: head, failures: failures, split: split))
        try source.assign([split])
        ownedSplits.insert(split)
    }

    fileprivate func splitsAssigned(_ splits: [Split]) throws {
        guard pipelineBuilt else {
            pendingAssignment += splits
            return
        }
        guard exchanges.isEmpty || !repartitionTopics.isEmpty else {
            throw JobError.unsupported("changing the assignment of a job with in-process exchanges")
        }
        try addSourceTasks(for: splits)
    }

    fileprivate func splitsRevoked(_ splits: [Split]) throws {
        try drop(splits, committing: true)
    }

    fileprivate func splitsLost(_ splits: [Split]) throws {
        try drop(splits, committing: false)
    }

    /// Removes the tasks of `splits` and revokes them from their sources. An orderly revoke
    /// first flushes and commits their positions; lost splits may already belong to another
    /// worker, so nothing is committed for them.
    private func drop(_ splits: [Split], committing: Bool) throws {
        guard exchanges.isEmpty || !repartitionTopics.isEmpty else {
            throw JobError.unsupported("changing the assignment of a job with in-process exchanges")
        }
        if committing {
            try flushSinks()
            try commit(positions: handled.filter { splits.contains($0.key) })
        }
        let revoked = Set(splits)
        for stage in tasksByStage.indices {
            for task in tasksByStage[stage] where task.split.map(revoked.contains) == true {
                metrics.skippedRecords += task.failures.skipped
                metrics.deadLetteredRecords += task.failures.deadLettered
            }
            tasksByStage[stage].removeAll { $0.split.map(revoked.contains) == true }
        }
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

        func splitsLost(_ splits: [Split]) throws { try job.splitsLost(splits) }
    }
}
