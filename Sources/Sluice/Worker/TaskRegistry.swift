/// The tasks of one worker and the splits they read: the only owner of that bookkeeping.
///
/// A task is (stage, partition): input splits feed stage 0, named by the split's place among
/// all the job's source splits; the partitions of stage k's repartition topic feed stage k. In
/// local mode, tasks behind in-process exchanges are built once for the whole run.
final class TaskRegistry {
    private let plan: JobPlan
    private let graph: LogicalGraph
    private let stageOf: [Int]
    private let sources: [(binding: AnySourceBinding, nodeID: Int)]
    let builder: TaskBuilder

    private var tasksByStage: [[Task]]
    private var exchanges: [Int: ExchangeEndpoint] = [:]
    /// Distributed mode: the repartition topics by name, with the exchange node each feeds.
    private var repartitionTopics: [String: (topic: RepartitionTopic, nodeID: Int)] = [:]
    /// Distributed mode: each source split's index among all the job's source splits, which
    /// names its stage-0 task on every worker alike.
    private var globalSplitIndex: [Split: Int] = [:]
    /// Which source reads each split.
    private var splitOwner: [Split: Int] = [:]
    private var nextSourceTask = 0
    private var ownedSplits: Set<Split> = []
    private var taskReading: [Split: Task] = [:]
    private var endedSplits: Set<Split> = []
    /// Per split, the offset of the first record its current task read, where a task that never
    /// committed a checkpoint rewinds to.
    private var startPositions: [Split: Int64] = [:]
    /// Splits this worker owns whose tasks are not built (yet, or again): their restore failed,
    /// and a retry must build them.
    private var unbuilt: [Split: Unbuilt] = [:]

    /// Why a split this worker owns has no task.
    enum Unbuilt: Equatable {
        /// Assigned, not read yet: once built, its source starts reading it.
        case assigned
        /// Its task was dropped for a rewind; `startedAt` is where that task started reading,
        /// where a task that never committed a checkpoint reads again from.
        case rewound(startedAt: Int64?)
    }

    init(plan: JobPlan, graph: LogicalGraph, stageOf: [Int], sources: [(binding: AnySourceBinding, nodeID: Int)],
         builder: TaskBuilder) {
        self.plan = plan
        self.graph = graph
        self.stageOf = stageOf
        self.sources = sources
        self.builder = builder
        tasksByStage = Array(repeating: [], count: plan.stages.count)
    }

    // MARK: What the worker owns

    /// Every task, stage by stage.
    var allTasks: [Task] { tasksByStage.flatMap { $0 } }

    /// The tasks of each stage, in stage order: a round runs them stage by stage.
    var stages: [[Task]] { tasksByStage }

    /// The splits whose tasks this worker runs.
    var owned: Set<Split> { ownedSplits }

    /// The task reading `split`.
    func task(reading split: Split) -> Task? { taskReading[split] }

    /// Whether `split` is a partition of one of the job's repartition topics.
    func isRepartition(_ split: Split) -> Bool { repartitionTopics[split.topic] != nil }

    /// Owned splits of the job's own inputs (not repartition topics), sorted.
    var ownedInputs: [Split] { ownedSplits.filter { !isRepartition($0) }.sorted() }

    /// Whether every owned split has ended (bounded sources); `false` while none is owned.
    var allOwnedEnded: Bool { !ownedSplits.isEmpty && ownedSplits.isSubset(of: endedSplits) }

    /// Whether some owned input split (not a repartition partition) has ended.
    var someInputEnded: Bool { ownedSplits.contains { !isRepartition($0) && endedSplits.contains($0) } }

    /// Notes splits whose input ended.
    func markEnded(_ splits: some Sequence<Split>) { endedSplits.formUnion(splits) }

    /// Notes every task of a later stage whose input ended for good (its final watermark).
    func noteEndedTasks() {
        for stage in tasksByStage.dropFirst() {
            for task in stage where task.head.hasEnded {
                if let split = task.split { endedSplits.insert(split) }
            }
        }
    }

    /// Remembers where each split's current task started reading.
    func noteFirstOffsets(_ offsets: [Split: Int64]) {
        for (split, offset) in offsets where startPositions[split] == nil { startPositions[split] = offset }
    }

    // MARK: Splits and topics

    /// Notes which source reads each split, and, in distributed mode, names each source split's
    /// task after the split's place among all the job's source splits, the same on every
    /// worker, so its checkpoint partition and the upstream index of its repartition records do
    /// not depend on the order of assignment.
    func register(_ splits: [Split], source: Int) {
        for split in splits { splitOwner[split] = source }
    }

    /// See ``register(_:source:)``.
    func numberSourceSplits(_ splits: [Split]) {
        for (index, split) in splits.sorted().enumerated() { globalSplitIndex[split] = index }
    }

    /// Creates the repartition topics, lets the carrying source subscribe to them and routes
    /// their splits to it. Runs before joining, so the first assignment already includes them.
    func prepareRepartitionTopics(transport: any DistributedExchangeTransport, exactlyOnce: Bool) throws {
        guard let carrier = sources.firstIndex(where: { $0.binding.internalTopicSource != nil }),
              let subscriber = sources[carrier].binding.internalTopicSource else {
            throw JobError.unsupported(
                "keyBy exchanges in distributed mode need a source that can read repartition topics, such as KafkaSource")
        }
        for node in graph.nodes {
            guard case .exchange = node.kind else { continue }
            let stage = stageOf[node.id]
            guard let step = plan.exchanges.first(where: { $0.toStage == stage }),
                  case .repartitionTopic(let name) = step.kind else { continue }
            let topic = RepartitionTopic(
                name: name, partitionCount: step.partitionCount,
                upstreamCount: plan.stages[step.fromStage].taskCount, transport: transport, exactlyOnce: exactlyOnce)
            repartitionTopics[name] = (topic, node.id)
            exchanges[node.id] = .repartitionTopic(topic)
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

    /// The checkpoint topic of every stage, one partition per task.
    var checkpointTopics: [InternalTopic] {
        plan.stages.map { InternalTopic(name: JobTopics(job: plan.jobName).checkpoints(stage: $0.id), partitionCount: $0.taskCount) }
    }

    /// Whether the job's tasks can change while it runs: not with in-process exchanges, whose
    /// partitions all live in this process for the whole run.
    var allowsReassignment: Bool { exchanges.isEmpty || !repartitionTopics.isEmpty }

    // MARK: Building and dropping

    /// Local mode: builds the in-process exchanges for the `initial` source splits and the tasks
    /// behind them; `initial`'s own tasks are built by ``build(_:restoring:)``. Returns the
    /// tasks built.
    func buildLocalExchanges(initial: [Split]) throws -> [Task] {
        guard repartitionTopics.isEmpty, !plan.exchanges.isEmpty else { return [] }
        let exchangeNodes = graph.nodes.filter { if case .exchange = $0.kind { true } else { false } }
        let partitions = plan.exchanges.first?.partitionCount ?? 1
        var local: [Int: any LocalExchange] = [:]
        for node in exchangeNodes {
            guard case .exchange(let binding) = node.kind else { continue }
            let upstreamStage = stageOf[node.inputs[0]]
            let upstreamCount = upstreamStage == 0 ? initial.filter { splitOwner[$0] != nil }.count : partitions
            let exchange = binding.makeLocalExchange(upstreamCount: upstreamCount, partitionCount: partitions)
            local[node.id] = exchange
            exchanges[node.id] = .local(exchange)
        }
        var built: [Task] = []
        for node in exchangeNodes {
            guard let exchange = local[node.id] else { continue }
            let stage = stageOf[node.id]
            for partition in 0..<partitions {
                let task = try builder.exchangeTask(
                    TaskID(stage: stage, partition: partition), partition: partition, nodeID: node.id, exchange: exchange,
                    exchanges: exchanges)
                tasksByStage[stage].append(task)
                built.append(task)
            }
        }
        return built
    }

    /// The task each split would be read by, for splits this worker may read and does not own.
    func taskIDs(for splits: [Split]) -> [(split: Split, task: TaskID)] {
        splits.sorted().compactMap { split in
            guard splitOwner[split] != nil, !ownedSplits.contains(split), let id = taskID(of: split) else { return nil }
            return (split, id)
        }
    }

    /// Notes assigned splits as owned and not built yet.
    func awaitBuild(assigned splits: [Split]) {
        for split in splits where splitOwner[split] != nil && !ownedSplits.contains(split) && unbuilt[split] == nil {
            unbuilt[split] = .assigned
        }
    }

    /// The splits owned without a task, and why.
    var awaitingBuild: [Split: Unbuilt] { unbuilt }

    /// Builds the tasks of `splits` (restoring those with a restore point) and returns them with
    /// where each split's reading starts: its checkpoint's position, or the source's own start.
    func build(_ splits: [Split], restoring points: [Split: RestorePlanner.RestorePoint]) throws -> [(task: Task, start: SplitStart)] {
        var built: [(Task, SplitStart)] = []
        for split in splits.sorted() where splitOwner[split] != nil && !ownedSplits.contains(split) {
            let point = points[split]
            let task: Task
            if let repartition = repartitionTopics[split.topic] {
                task = try builder.repartitionTask(
                    TaskID(stage: stageOf[repartition.nodeID], partition: Int(split.partition)), split: split,
                    topic: repartition.topic, nodeID: repartition.nodeID, carrier: splitOwner[split]!,
                    exchanges: exchanges, restoring: point)
            } else {
                // In process, exchanges number their upstream tasks in assignment order; across
                // workers, the split's place among all source splits names it everywhere alike.
                let id = TaskID(stage: 0, partition: globalSplitIndex[split] ?? nextSourceTask)
                nextSourceTask += 1
                task = try builder.sourceTask(id, split: split, source: splitOwner[split]!, exchanges: exchanges, restoring: point)
            }
            tasksByStage[task.id.stage].append(task)
            taskReading[split] = task
            ownedSplits.insert(split)
            unbuilt[split] = nil
            built.append((task, SplitStart(split, at: point?.manifest.inputPosition)))
        }
        return built
    }

    /// Removes the tasks of `splits` and their bookkeeping; returns the tasks removed.
    func remove(_ splits: [Split]) -> [Task] {
        let gone = Set(splits)
        var removed: [Task] = []
        for stage in tasksByStage.indices {
            removed += tasksByStage[stage].filter { $0.split.map(gone.contains) == true }
            tasksByStage[stage].removeAll { $0.split.map(gone.contains) == true }
        }
        for task in removed {
            task.metrics?.close()
            if let split = task.split { taskReading[split] = nil }
        }
        for split in gone {
            if let owner = splitOwner[split] { sources[owner].binding.dropHead(split: split) }
            startPositions[split] = nil
            unbuilt[split] = nil
        }
        ownedSplits.subtract(gone)
        endedSplits.subtract(gone)
        return removed
    }

    /// Drops every split-reading task for a rewind; their splits await their build again, each
    /// with where its task started reading. Returns the tasks dropped.
    @discardableResult
    func dropAllForRewind() -> [Task] {
        let splits = ownedSplits.sorted()
        let starts = startPositions
        let removed = remove(splits)
        for split in splits { unbuilt[split] = .rewound(startedAt: starts[split]) }
        return removed
    }

    /// The index of the source reading `split`.
    func source(of split: Split) -> AnySourceBinding? {
        splitOwner[split].map { sources[$0].binding }
    }

    private func taskID(of split: Split) -> TaskID? {
        if let repartition = repartitionTopics[split.topic] {
            return TaskID(stage: stageOf[repartition.nodeID], partition: Int(split.partition))
        }
        guard let ordinal = globalSplitIndex[split] else { return nil }
        return TaskID(stage: 0, partition: ordinal)
    }
}
