import Logging

/// Builds one task: its context, its chain of operators behind the right head (a source split, a
/// repartition partition, or a partition of an in-process exchange), its checkpoint writer,
/// and, when it resumes from a committed checkpoint, its restored state; then it tells the
/// task's two-phase-commit participants where the task resumes (``TwoPhaseCommitParticipant/recover(_:)``).
///
/// It holds no record of the tasks it built: ``TaskRegistry`` does.
final class TaskBuilder {
    /// What the builder needs of the running job and worker.
    struct Job {
        var name: String
        var workerID: String
        var guarantee: DeliveryGuarantee
        var graph: LogicalGraph
        var stageOf: [Int]
        var configuration: JobConfiguration
        var sources: [(binding: AnySourceBinding, nodeID: Int)]
        var provenance: ProvenanceRegistry
        var metrics: WorkerMetrics
        var recordsWritten: RecordCounter
    }

    /// Where exactly-once tasks write their checkpoints and read them back.
    struct Checkpoints {
        var log: any CheckpointLog
        var coordinator: CheckpointCoordinator
    }

    /// Its lines carry the job's and the worker's metadata (set by the worker).
    var logger = Logger(label: "sluice.tasks")
    private let job: Job
    private let checkpoints: Checkpoints?
    /// Tasks restored from a committed checkpoint so far, and the snapshot bytes they read.
    private(set) var restoredTasks = 0
    private(set) var restoredBytes = 0

    init(job: Job, checkpoints: Checkpoints?) {
        self.job = job
        self.checkpoints = checkpoints
    }

    /// Whether tasks checkpoint their state (exactly-once).
    var checkpointsState: Bool { checkpoints != nil }

    /// The task reading `split` from the source `source` (index into the job's sources), the
    /// first task of stage 0 named `id`.
    func sourceTask(_ id: TaskID, split: Split, source: Int, exchanges: [Int: ExchangeEndpoint],
                    restoring point: RestorePlanner.RestorePoint?) throws -> Task {
        let binding = job.sources[source]
        return try build(id, split: split, source: binding.binding, exchanges: exchanges, restoring: point) { builder, slotIndex, slot in
            try binding.binding.makeHead(split: split, sourceTask: slotIndex, slot: slot, builder: builder, nodeID: binding.nodeID)
        }
    }

    /// The task reading `split` of the repartition topic `topic`, which feeds exchange node
    /// `nodeID`; its records arrive through the source `carrier`.
    func repartitionTask(_ id: TaskID, split: Split, topic: RepartitionTopic, nodeID: Int, carrier: Int,
                         exchanges: [Int: ExchangeEndpoint], restoring point: RestorePlanner.RestorePoint?) throws -> Task {
        guard case .exchange(let exchangeBinding) = job.graph.nodes[nodeID].kind else {
            preconditionFailure("node \(nodeID) is no exchange")
        }
        let source = job.sources[carrier].binding
        return try build(id, split: split, source: source, exchanges: exchanges, restoring: point) { builder, slotIndex, slot in
            let head = try exchangeBinding.makeRepartitionHead(
                topic: topic, split: split, sourceTask: slotIndex, slot: slot, builder: builder, nodeID: nodeID)
            try source.attach(head, split: split)
            return head
        }
    }

    /// The task behind partition `partition` of the in-process exchange node `nodeID` (local
    /// mode: built once for the whole run).
    func exchangeTask(_ id: TaskID, partition: Int, nodeID: Int, exchange: any LocalExchange,
                      exchanges: [Int: ExchangeEndpoint]) throws -> Task {
        guard case .exchange(let binding) = job.graph.nodes[nodeID].kind else {
            preconditionFailure("node \(nodeID) is no exchange")
        }
        let (context, builder) = try makeBuilder(for: id, lineage: TaskLineage(restoring: nil), split: nil, exchanges: exchanges)
        let head = try binding.makeHead(exchange: exchange, partition: partition, builder: builder, nodeID: nodeID)
        try recoverParticipants(of: context, from: nil)
        return Task(id: id, head: head, failures: context.failures, split: nil, context: context)
    }

    private func build(_ id: TaskID, split: Split, source: AnySourceBinding, exchanges: [Int: ExchangeEndpoint],
                       restoring point: RestorePlanner.RestorePoint?,
                       head makeHead: (ChainBuilder, Int, ProvenanceRegistry.Slot) throws -> TaskHead) throws -> Task {
        let lineage = TaskLineage(restoring: point.map {
            TaskLineage.Checkpoint(sequence: $0.manifest.sequence, incarnation: $0.manifest.incarnation)
        })
        let (slotIndex, slot) = job.provenance.makeSlot()
        let (context, builder) = try makeBuilder(for: id, lineage: lineage, split: split, exchanges: exchanges)
        let head = try makeHead(builder, slotIndex, slot)
        var checkpointer: TaskCheckpointer?
        if let checkpoints {
            checkpointer = TaskCheckpointer(
                task: id, split: JobTopics(job: job.name).checkpointSplit(of: id), jobName: job.name,
                writer: job.workerID, input: split, fullSnapshotInterval: job.configuration.fullSnapshotInterval,
                restored: point?.manifest)
            if let point {
                do {
                    try restore(id, from: point, into: context, head: head, checkpoints: checkpoints)
                } catch let error as CheckpointError where job.configuration.resetsUnreadableState {
                    logger.warning("\(error) — starting \(id) from empty state at the group's committed offset, as resetsUnreadableState allows", metadata: ["task": "\(id)"])
                    job.configuration.checkpointObserver?(.stateReset(task: id, reason: "\(error)"))
                    source.dropHead(split: split)
                    context.metrics?.close()
                    return try build(id, split: split, source: source, exchanges: exchanges, restoring: nil, head: makeHead)
                }
            }
        }
        try recoverParticipants(of: context, from: point?.manifest)
        return Task(id: id, head: head, failures: context.failures, split: split, context: context, checkpointer: checkpointer)
    }

    private func makeBuilder(for id: TaskID, lineage: TaskLineage, split: Split?,
                             exchanges: [Int: ExchangeEndpoint]) throws -> (TaskContext, ChainBuilder) {
        let configuration = job.configuration
        var deadLetters: (any SinkWriter<SinkRecord>)?
        if case .deadLetter(let sink) = configuration.badInputPolicy {
            deadLetters = try sink.makeWriter(for: SinkTaskContext(
                job: job.name, task: id, worker: job.workerID, guarantee: job.guarantee, participantID: "dead-letters"))
        }
        let failures = FailureHandler(policy: configuration.badInputPolicy, provenance: job.provenance, deadLetters: deadLetters)
        let context = TaskContext(
            taskID: id, jobName: job.name, workerID: job.workerID, guarantee: job.guarantee, failures: failures,
            stateBackend: configuration.stateBackend, checkpointing: checkpoints != nil, lineage: lineage,
            recordsWritten: job.recordsWritten)
        if let deadLetters { try context.register(commit: deadLetters) }
        let readsSource = split.map { split in !exchanges.values.contains { endpoint in
            if case .repartitionTopic(let topic) = endpoint { topic.name == split.topic } else { false }
        } } ?? false
        context.metrics = job.metrics.task(id, split: split, readsSource: readsSource)
        return (context, ChainBuilder(graph: job.graph, context: context, exchanges: exchanges))
    }

    private func restore(_ id: TaskID, from point: RestorePlanner.RestorePoint, into context: TaskContext, head: TaskHead,
                         checkpoints: Checkpoints) throws {
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = try TaskRestorer(jobName: job.name, log: checkpoints.log)
            .restore(point.manifest, into: context.participants, split: point.checkpointSplit)
        head.restorePosition(point.manifest.inputPosition)
        checkpoints.coordinator.restored(id, pointer: point.pointer)
        restoredTasks += 1
        restoredBytes += outcome.bytesRead
        job.configuration.checkpointObserver?(.restored(RestoreReport(
            task: id, sequence: point.manifest.sequence, bytes: outcome.bytesRead, entries: outcome.entries,
            duration: clock.now - started, pointer: point.pointer, inputPosition: point.manifest.inputPosition)))
    }

    /// Tells every two-phase-commit participant of the task which checkpoint it resumes from, so
    /// it finishes what that checkpoint staged and rolls back anything later.
    private func recoverParticipants(of context: TaskContext, from manifest: CheckpointManifest?) throws {
        let attempt = manifest.map {
            CheckpointAttempt(job: job.name, task: context.taskID, sequence: $0.sequence, incarnation: $0.incarnation)
        }
        if let manifest {
            let known = Set(context.commitParticipants.map(\.participantID))
            if let orphan = manifest.preCommitted.first(where: { !known.contains($0.participant) }) {
                throw CheckpointError.unknownOperator(job: job.name, task: context.taskID, participant: orphan.participant)
            }
        }
        for participant in context.commitParticipants {
            let recovery = TaskRecovery(
                job: job.name, task: context.taskID, checkpoint: attempt,
                preCommitted: manifest?.preCommitted.first { $0.participant == participant.participantID }?.bytes)
            do {
                try participant.recover(recovery)
            } catch {
                throw JobError.connectorFailed("recovering \(participant.participantID) of \(context.taskID)", underlying: error)
            }
        }
    }
}
