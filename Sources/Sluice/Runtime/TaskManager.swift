import Logging

/// How tasks come and go on one worker: built when their splits are assigned (restored from
/// their committed checkpoint in exactly-once jobs), dropped when the splits are revoked or
/// lost, and rebuilt from their last committed checkpoint when the worker rewinds after an
/// abort.
///
/// A task is (stage, partition): input splits feed stage 0, named by the split's place among
/// all the job's source splits; the partitions of stage k's repartition topic feed stage k. In
/// local mode, tasks behind in-process exchanges are built once for the whole run.
final class TaskManager {
    private let jobName: String
    private let plan: JobPlan
    private let graph: LogicalGraph
    private let stageOf: [Int]
    private let configuration: JobConfiguration
    private let sources: [(binding: AnySourceBinding, nodeID: Int)]
    private let provenance: ProvenanceRegistry
    private let checkpoints: Checkpoints?
    private let metrics: WorkerMetrics
    /// Its lines carry the job's and the worker's metadata (set by ``Job``).
    var logger = Logger(label: "sluice.tasks")
    /// Records the worker's sinks accepted, for its status line.
    let recordsWritten = RecordCounter()

    /// What exactly-once tasks restore from and checkpoint to.
    struct Checkpoints {
        let log: any CheckpointLog
        let commitPoint: any CommitPoint
        let coordinator: CheckpointCoordinator
        let workerID: String
        let observer: (@Sendable (CheckpointEvent) -> Void)?
    }

    private(set) var tasksByStage: [[Task]]
    private var exchanges: [Int: ExchangeEndpoint] = [:]
    /// Distributed mode: the repartition topics by name, with the exchange node each feeds.
    private(set) var repartitionTopics: [String: (topic: RepartitionTopic, nodeID: Int)] = [:]
    /// Distributed mode: each source split's index among all the job's source splits, which
    /// names its stage-0 task on every worker alike.
    private var globalSplitIndex: [Split: Int] = [:]
    private var splitOwner: [Split: Int] = [:]
    /// Splits assigned before the pipeline was built (static memberships assign while joining).
    private(set) var pendingAssignment: [Split] = []
    private var pipelineBuilt = false
    private var nextSourceTask = 0
    private(set) var ownedSplits: Set<Split> = []
    /// The task reading each owned split.
    private(set) var taskReading: [Split: Task] = [:]
    var endedSplits: Set<Split> = []
    /// Per split, the offset of the first record its current task read, where a task that never
    /// committed a checkpoint rewinds to.
    private var startPositions: [Split: Int64] = [:]
    /// Per split, where the last rewind moved its source.
    private var rewindSeeks: [Split: Int64] = [:]
    /// Tasks restored from a committed checkpoint so far, and the snapshot bytes they read.
    private(set) var restoredTasks = 0
    private(set) var restoredBytes = 0

    init(jobName: String, plan: JobPlan, graph: LogicalGraph, stageOf: [Int], configuration: JobConfiguration,
         sources: [(binding: AnySourceBinding, nodeID: Int)], provenance: ProvenanceRegistry, checkpoints: Checkpoints?,
         metrics: WorkerMetrics) {
        self.jobName = jobName
        self.metrics = metrics
        self.plan = plan
        self.graph = graph
        self.stageOf = stageOf
        self.configuration = configuration
        self.sources = sources
        self.provenance = provenance
        self.checkpoints = checkpoints
        tasksByStage = Array(repeating: [], count: plan.stages.count)
    }

    /// Every task, stage by stage.
    var allTasks: [Task] { tasksByStage.flatMap { $0 } }

    /// Notes which source owns each split.
    func register(_ split: Split, source: Int) {
        splitOwner[split] = source
    }

    /// Distributed mode: names each source split's task after the split's place among all the
    /// job's source splits, the same on every worker, so its checkpoint partition and the
    /// upstream index of its repartition records do not depend on the order of assignment.
    func numberSourceSplits(_ splits: [Split]) {
        for (index, split) in splits.sorted().enumerated() { globalSplitIndex[split] = index }
    }

    /// Remembers where each split's current task started reading.
    func noteFirstOffsets(_ offsets: [Split: Int64]) {
        for (split, offset) in offsets where startPositions[split] == nil { startPositions[split] = offset }
    }

    // MARK: Topics

    /// Creates the repartition topics, lets the carrying source subscribe to them and routes
    /// their splits to it. Runs before joining, so the first assignment already includes them.
    func prepareRepartitionTopics(sourceSplits: [Split], transport: any DistributedExchangeTransport, exactlyOnce: Bool) throws {
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
        plan.stages.map { InternalTopic(name: JobTopics(job: jobName).checkpoints(stage: $0.id), partitionCount: $0.taskCount) }
    }

    // MARK: Assignment

    /// Builds the tasks of splits this worker was assigned; before the pipeline is built
    /// (static memberships assign while joining) they wait. Returns the tasks built.
    @discardableResult
    func assign(_ splits: [Split]) throws -> [Task] {
        guard pipelineBuilt else {
            pendingAssignment += splits
            return []
        }
        guard exchanges.isEmpty || !repartitionTopics.isEmpty else {
            throw JobError.unsupported("changing the assignment of a job with in-process exchanges")
        }
        return try addTasks(for: splits, rewinding: false)
    }

    /// Builds the tasks of the splits assigned so far and, in local mode, the exchanges and the
    /// tasks behind them.
    @discardableResult
    func buildPipeline() throws -> [Task] {
        let initial = pendingAssignment
        pendingAssignment = []
        pipelineBuilt = true
        if !repartitionTopics.isEmpty || plan.exchanges.isEmpty {
            return try addTasks(for: initial, rewinding: false)
        }
        let exchangeNodes = graph.nodes.filter { if case .exchange = $0.kind { true } else { false } }
        let partitions = plan.exchanges.first?.partitionCount ?? 1
        var localExchanges: [Int: any LocalExchange] = [:]
        for node in exchangeNodes {
            guard case .exchange(let binding) = node.kind else { continue }
            let upstreamStage = stageOf[node.inputs[0]]
            let upstreamCount = upstreamStage == 0 ? initial.count : partitions
            let exchange = binding.makeLocalExchange(upstreamCount: upstreamCount, partitionCount: partitions)
            localExchanges[node.id] = exchange
            exchanges[node.id] = .local(exchange)
        }
        var built = try addTasks(for: initial, rewinding: false)
        for node in exchangeNodes {
            guard case .exchange(let binding) = node.kind, let exchange = localExchanges[node.id] else { continue }
            let stage = stageOf[node.id]
            for partition in 0..<partitions {
                let id = TaskID(stage: stage, partition: partition)
                let (context, builder) = makeBuilder(for: id, lineage: TaskLineage(restoring: nil), split: nil)
                let head = try binding.makeHead(exchange: exchange, partition: partition, builder: builder, nodeID: node.id)
                let task = Task(id: id, head: head, failures: context.failures, split: nil, context: context)
                tasksByStage[stage].append(task)
                built.append(task)
            }
        }
        return built
    }

    /// Removes the tasks of `splits` and revokes the splits from their sources. Returns the
    /// tasks removed.
    @discardableResult
    func drop(_ splits: [Split]) throws -> [Task] {
        guard exchanges.isEmpty || !repartitionTopics.isEmpty else {
            throw JobError.unsupported("changing the assignment of a job with in-process exchanges")
        }
        let removed = removeTasks(of: Set(splits))
        // Another worker may commit newer checkpoints of these tasks from now on.
        checkpoints?.coordinator.forget(removed.map(\.id))
        for (index, source) in sources.enumerated() {
            let owned = splits.filter { splitOwner[$0] == index }
            guard !owned.isEmpty else { continue }
            try source.binding.revoke(owned)
        }
        ownedSplits.subtract(splits)
        endedSplits.subtract(splits)
        for split in splits {
            startPositions[split] = nil
            rewindSeeks[split] = nil
        }
        return removed
    }

    /// Rebuilds every task from its last committed checkpoint (exactly-once): a new incarnation
    /// of each, its input read again from the checkpoint's position, or from where the task
    /// started when it never committed one. Returns the tasks built.
    func rewind() throws -> [Task] {
        rewindSeeks = [:]
        let splits = Array(ownedSplits)
        _ = removeTasks(of: ownedSplits)
        ownedSplits = []
        endedSplits.subtract(splits)
        return try addTasks(for: splits, rewinding: true)
    }

    /// After a poll whose records a rewind during it made the job discard: the source read past
    /// them, so every owned split among them goes back where the rewind put it, or, when the
    /// rewind did not move it, to the first record discarded. An end the poll reported for a
    /// split the rewind did not move stands.
    func resumeAfterDiscardedPoll(_ outcome: PollOutcome) throws {
        for split in Set(outcome.discarded.keys).union(outcome.discardedEnds).sorted() where ownedSplits.contains(split) {
            let binding = sources[splitOwner[split]!].binding
            if let target = rewindSeeks[split] ?? outcome.discarded[split] {
                try binding.seek(split, to: target)
            } else {
                binding.markEnded(split)
                endedSplits.insert(split)
            }
        }
    }

    private func removeTasks(of splits: Set<Split>) -> [Task] {
        var removed: [Task] = []
        for stage in tasksByStage.indices {
            removed += tasksByStage[stage].filter { $0.split.map(splits.contains) == true }
            tasksByStage[stage].removeAll { $0.split.map(splits.contains) == true }
        }
        for task in removed {
            task.metrics?.close()
            if let split = task.split { taskReading[split] = nil }
        }
        for split in splits {
            if let owner = splitOwner[split] { sources[owner].binding.dropHead(split: split) }
        }
        return removed
    }

    // MARK: Building tasks

    private func taskID(of split: Split) -> TaskID? {
        if let repartition = repartitionTopics[split.topic] {
            return TaskID(stage: stageOf[repartition.nodeID], partition: Int(split.partition))
        }
        guard let ordinal = globalSplitIndex[split] else { return nil }
        return TaskID(stage: 0, partition: ordinal)
    }

    private func addTasks(for splits: [Split], rewinding: Bool) throws -> [Task] {
        let wanted = splits.sorted().filter { splitOwner[$0] != nil && !ownedSplits.contains($0) }
        let restored = try checkpoints.map { try restorePoints(for: wanted, rewinding: rewinding, using: $0) } ?? [:]
        var built: [Task] = []
        for split in wanted {
            let task = try addTask(for: split, restoring: restored[split], assigning: !rewinding)
            // A task rewound to a checkpoint taken before it read anything (or to none) reads its
            // split again from where it started.
            if rewinding, let position = restored[split]?.manifest.inputPosition {
                rewindSeeks[split] = position
            } else if rewinding, let start = startPositions[split] {
                try sources[splitOwner[split]!].binding.seek(split, to: start)
                rewindSeeks[split] = start
            }
            built.append(task)
        }
        return built
    }

    /// Per split, the committed checkpoint its task restores from: the pointer this worker
    /// knows (it committed or restored it), else on a new assignment the group's committed
    /// pointer, checked against the group's committed input offset.
    private func restorePoints(for splits: [Split], rewinding: Bool, using checkpoints: Checkpoints) throws -> [Split: RestorePoint] {
        var pointerSplits: [Split: (split: Split, task: TaskID)] = [:]
        var pointers: [Split: Int64] = [:]
        for split in splits {
            guard let id = taskID(of: split) else { continue }
            let checkpointSplit = JobTopics(job: jobName).checkpointSplit(of: id)
            pointerSplits[split] = (checkpointSplit, id)
            if let known = checkpoints.coordinator.committedPointers[id] { pointers[split] = known }
        }
        var groupPositions: [Split: Int64] = [:]
        if !rewinding {
            let unknown = splits.filter { pointers[$0] == nil && pointerSplits[$0] != nil }
            if !unknown.isEmpty {
                let committed: [Split: Int64]
                do {
                    committed = try checkpoints.commitPoint.committedPositions(for: unknown.map { pointerSplits[$0]!.split } + unknown)
                } catch {
                    throw JobError.connectorFailed("reading committed checkpoint pointers", underlying: error)
                }
                for split in unknown {
                    if let pointer = committed[pointerSplits[split]!.split] { pointers[split] = pointer }
                }
                groupPositions = committed
            }
        }
        var points: [Split: RestorePoint] = [:]
        let locator = CheckpointLocator(jobName: jobName, log: checkpoints.log)
        for split in splits {
            guard let (checkpointSplit, id) = pointerSplits[split] else { continue }
            do {
                let located: CheckpointLocator.Located?
                if rewinding {
                    // This worker committed or restored the pointer itself: nothing newer exists.
                    located = try pointers[split].map {
                        CheckpointLocator.Located(manifest: try locator.manifest(of: id, pointer: $0), pointer: $0, namedByGroup: true)
                    }
                } else {
                    located = try locator.locate(id, groupPointer: pointers[split]).checkpoint
                }
                guard let located else { continue }
                // Offsets committed with the checkpoint must agree with it, unless the broker
                // still shows an older pointer (a confirmation proved a newer checkpoint), when
                // the input's offset lags the same way.
                if !rewinding, located.namedByGroup, let position = located.manifest.inputPosition,
                   groupPositions[split] != position {
                    throw CheckpointError.positionMismatch(
                        job: jobName, task: id, input: split, checkpoint: position, committed: groupPositions[split])
                }
                if !located.namedByGroup {
                    logger.info("job \(jobName), \(id): the group's committed pointer names checkpoint \(pointers[split].map(String.init) ?? "none"); a confirmation proves checkpoint \(located.manifest.sequence) at \(located.pointer) committed, restoring that", metadata: ["task": "\(id)"])
                }
                points[split] = RestorePoint(manifest: located.manifest, pointer: located.pointer, checkpointSplit: checkpointSplit)
            } catch let error as CheckpointError where configuration.resetsUnreadableState {
                logger.warning("\(error) — starting \(id) from empty state at the group's committed offset, as resetsUnreadableState allows", metadata: ["task": "\(id)"])
                checkpoints.observer?(.stateReset(task: id, reason: "\(error)"))
            }
        }
        return points
    }

    private struct RestorePoint {
        var manifest: CheckpointManifest
        var pointer: Int64
        var checkpointSplit: Split
    }

    private func makeBuilder(for id: TaskID, lineage: TaskLineage, split: Split?) -> (TaskContext, ChainBuilder) {
        let failures = FailureHandler(policy: configuration.badInputPolicy, provenance: provenance)
        let context = TaskContext(
            taskID: id, failures: failures, stateBackend: configuration.stateBackend, checkpointing: checkpoints != nil,
            lineage: lineage, recordsWritten: recordsWritten)
        context.metrics = metrics.task(id, split: split, readsSource: split.map { repartitionTopics[$0.topic] == nil } ?? false)
        return (context, ChainBuilder(graph: graph, context: context, exchanges: exchanges))
    }

    private func addTask(for split: Split, restoring point: RestorePoint?, assigning: Bool) throws -> Task {
        let owner = splitOwner[split]!
        let source = sources[owner]
        let lineage = TaskLineage(restoring: point.map {
            TaskLineage.Checkpoint(sequence: $0.manifest.sequence, incarnation: $0.manifest.incarnation)
        })
        let (slotIndex, slot) = provenance.makeSlot()
        let id: TaskID
        let head: TaskHead
        let (context, builder): (TaskContext, ChainBuilder)
        if let repartition = repartitionTopics[split.topic] {
            id = TaskID(stage: stageOf[repartition.nodeID], partition: Int(split.partition))
            (context, builder) = makeBuilder(for: id, lineage: lineage, split: split)
            guard case .exchange(let binding) = graph.nodes[repartition.nodeID].kind else {
                preconditionFailure("node \(repartition.nodeID) is no exchange")
            }
            head = try binding.makeRepartitionHead(
                topic: repartition.topic, split: split, sourceTask: slotIndex, slot: slot, builder: builder,
                nodeID: repartition.nodeID)
            try source.binding.attach(head, split: split)
        } else {
            // In process, exchanges number their upstream tasks in assignment order; across
            // workers, the split's place among all source splits names it everywhere alike.
            id = TaskID(stage: 0, partition: globalSplitIndex[split] ?? nextSourceTask)
            nextSourceTask += 1
            (context, builder) = makeBuilder(for: id, lineage: lineage, split: split)
            head = try source.binding.makeHead(split: split, sourceTask: slotIndex, slot: slot, builder: builder, nodeID: source.nodeID)
        }
        var checkpointer: TaskCheckpointer?
        if let checkpoints {
            checkpointer = TaskCheckpointer(
                task: id, split: JobTopics(job: jobName).checkpointSplit(of: id), jobName: jobName,
                writer: checkpoints.workerID, input: split, fullSnapshotInterval: configuration.fullSnapshotInterval,
                restored: point?.manifest)
            if let point {
                do {
                    try restore(id, from: point, into: context, head: head, checkpoints: checkpoints)
                } catch let error as CheckpointError where configuration.resetsUnreadableState {
                    logger.warning("\(error) — starting \(id) from empty state at the group's committed offset, as resetsUnreadableState allows", metadata: ["task": "\(id)"])
                    checkpoints.observer?(.stateReset(task: id, reason: "\(error)"))
                    source.binding.dropHead(split: split)
                    context.metrics?.close()
                    return try addTask(for: split, restoring: nil, assigning: assigning)
                }
                if let position = point.manifest.inputPosition { try source.binding.seek(split, to: position) }
            }
        }
        let task = Task(id: id, head: head, failures: context.failures, split: split, context: context, checkpointer: checkpointer)
        tasksByStage[id.stage].append(task)
        taskReading[split] = task
        if assigning { try source.binding.assign([split]) }
        ownedSplits.insert(split)
        return task
    }

    private func restore(_ id: TaskID, from point: RestorePoint, into context: TaskContext, head: TaskHead,
                         checkpoints: Checkpoints) throws {
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = try TaskRestorer(jobName: jobName, log: checkpoints.log)
            .restore(point.manifest, into: context.participants, split: point.checkpointSplit)
        head.restorePosition(point.manifest.inputPosition)
        checkpoints.coordinator.restored(id, pointer: point.pointer)
        restoredTasks += 1
        restoredBytes += outcome.bytesRead
        checkpoints.observer?(.restored(RestoreReport(
            task: id, sequence: point.manifest.sequence, bytes: outcome.bytesRead, entries: outcome.entries,
            duration: clock.now - started, pointer: point.pointer, inputPosition: point.manifest.inputPosition)))
    }
}
