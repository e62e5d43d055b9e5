import Foundation
import Logging
import RdKafka
import Sluice
import Synchronization

/// Shows and resets the input positions of a job, from outside its consumer group: what
/// `sluice offsets show|reset` does, and what a job's replay (`run --from …`) does before it
/// runs from the committed offsets.
///
/// ```swift
/// let offsets = JobOffsets(bootstrapServers: "127.0.0.1:9092", logger: logger)
/// let plan = try offsets.planReset(job: "click-counts", topics: nil, to: try OffsetResetTarget(parsing: "2026-01-01T00:00:00Z"))
/// try offsets.apply(plan)
/// ```
///
/// A reset keeps input positions and state consistent: besides the new input offsets it moves
/// the job's repartition topics to their end (their records belong to the old state) and
/// appends a `CheckpointReset` to every task's checkpoint partition, committing the task's
/// pointer just past it, so every task starts from empty state at the new offsets. It refuses
/// while the job's group has active members, who would overwrite what it commits.
///
/// Ends of partitions are read, not taken from the high watermark (Tansu 0.6 reports the last
/// batch's base offset + 1), and offsets for a time are verified by reading (see
/// ``OffsetResolution``).
public struct JobOffsets: Sendable {
    /// `bootstrap.servers`.
    public let bootstrapServers: String
    /// librdkafka properties for its clients: SASL, SSL and the like.
    public let properties: [String: String]
    /// How long each request to the brokers may take, and a read may go without progress.
    public let timeout: Duration
    private let logger: Logger

    /// Offsets of the jobs at `bootstrapServers`; it connects only when asked something.
    public init(
        bootstrapServers: String, properties: [String: String] = [:], timeout: Duration = .seconds(10), logger: Logger
    ) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.timeout = timeout
        self.logger = logger
    }

    /// The group's members and, per partition of the job's input topics (`topics`, else those
    /// the group committed offsets of) and of its repartition topics, committed offset, end,
    /// lag and the checkpoint of the task reading it.
    ///
    /// - Throws: ``JobOffsetsError``; ``CheckpointCatalogError`` when a checkpoint pointer names
    ///   no readable record of its task.
    public func show(job: String, topics: [String]? = nil) throws -> JobOffsetsReport {
        try withClients(job: job) { clients in
            let layout = try clients.layout(job: job, topics: topics, stages: nil)
            guard !layout.inputs.isEmpty || !layout.internal.isEmpty else {
                throw JobOffsetsError.unknownJob(job: job, bootstrap: bootstrapServers)
            }
            let group = try clients.describeGroup(job)
            let summaries = layout.internal.checkpoints.isEmpty
                ? [] : try CheckpointCatalog(bootstrapServers: bootstrapServers, properties: properties, timeout: timeout, logger: logger)
                    .list(job: job)
            let byInput = Dictionary(summaries.compactMap { summary in summary.manifest?.input.map { ($0, summary) } },
                                     uniquingKeysWith: { first, _ in first })
            let byTask = Dictionary(uniqueKeysWithValues: summaries.map { ($0.task, $0) })
            let sortedInputs = layout.inputs.sorted()
            var rows: [PartitionOffsets] = []
            for (index, split) in (sortedInputs + layout.internal.repartitionSplits).enumerated() {
                let isInternal = index >= sortedInputs.count
                let (low, end) = try clients.bounds(split)
                // A restored task names its input in its manifest; a reset one names none, so its
                // task is the one the runtime gives the split: stage 0 numbered by the split's place
                // among the job's input splits, a repartition stage by partition.
                let task = isInternal
                    ? layout.internal.names.stage(of: split.topic).map { TaskID(stage: $0.stage, partition: Int(split.partition)) }
                    : TaskID(stage: 0, partition: index)
                let checkpoint: TaskCheckpointState
                if let summary = byInput[split], let manifest = summary.manifest {
                    checkpoint = .checkpoint(task: summary.task, sequence: manifest.sequence)
                } else if let task, byTask[task]?.reset != nil {
                    checkpoint = .reset(task: task)
                } else {
                    checkpoint = .none
                }
                rows.append(PartitionOffsets(
                    split: split, isInternal: isInternal, committed: layout.committed[split], low: low, end: end,
                    checkpoint: checkpoint))
            }
            return JobOffsetsReport(job: job, groupState: group.state, members: group.members, partitions: rows)
        }
    }

    /// What resetting `job`'s input to `target` would do; changes nothing.
    ///
    /// - Parameters:
    ///   - topics: the job's input topics; `nil` for those its group committed offsets of (or,
    ///     for explicit offsets, the topics they name).
    ///   - stages: the job's stage count when the caller knows it: internal topics of later
    ///     stages are left alone. `nil` resets every internal topic of the job found.
    /// - Throws: ``JobOffsetsError/activeMembers(job:members:)`` while workers of the job are in
    ///   its group, and the other ``JobOffsetsError`` cases.
    public func planReset(job: String, topics: [String]?, stages: Int? = nil, to target: OffsetResetTarget) throws -> OffsetResetPlan {
        var named = topics
        if case .offsets(let offsets) = target {
            let inOffsets = offsets.keys.sorted()
            if let topics, Set(topics) != Set(inOffsets) {
                throw JobOffsetsError.topicsDisagree(named: topics.sorted(), inOffsets: inOffsets)
            }
            named = inOffsets
        }
        return try withClients(job: job) { clients in
            let layout = try clients.layout(job: job, topics: named, stages: stages)
            try requireNoMembers(job, clients)
            guard !layout.inputs.isEmpty else {
                if layout.internal.isEmpty { throw JobOffsetsError.unknownJob(job: job, bootstrap: bootstrapServers) }
                throw JobOffsetsError.noInputTopics(job: job, bootstrap: bootstrapServers)
            }
            var resets: [PartitionReset] = []
            for split in layout.inputs.sorted() {
                let old = layout.committed[split]
                let (low, end) = try clients.bounds(split)
                let partition = TopicPartition(split.topic, split.partition)
                switch target {
                case .earliest:
                    resets.append(PartitionReset(split: split, isInternal: false, old: old, new: low, resolution: .earliest))
                case .latest:
                    resets.append(PartitionReset(split: split, isInternal: false, old: old, new: end, resolution: .end))
                case .timestamp(let time):
                    let found = try clients.kafka("finding offsets for a time in \(partition)") {
                        try clients.timestamps.offset(atOrAfter: time, in: partition, low: low, end: end)
                    }
                    resets.append(PartitionReset(split: split, isInternal: false, old: old, new: found.offset, resolution: found.resolution))
                case .offsets(let offsets):
                    if let offset = offsets[split.topic]?[split.partition] {
                        guard offset >= low, offset <= end else {
                            throw JobOffsetsError.offsetOutOfRange(
                                topic: split.topic, partition: split.partition, offset: offset, low: low, end: end)
                        }
                        resets.append(PartitionReset(split: split, isInternal: false, old: old, new: offset, resolution: .explicit))
                    } else if let old {
                        resets.append(PartitionReset(split: split, isInternal: false, old: old, new: old, resolution: .unchanged))
                    }
                }
            }
            if case .offsets(let offsets) = target {
                for (topic, partitions) in offsets {
                    let count = layout.partitionCounts[topic] ?? 0
                    if let missing = partitions.keys.sorted().first(where: { $0 >= count }) {
                        throw JobOffsetsError.unknownPartition(topic: topic, partition: missing, partitions: count)
                    }
                }
            }
            for split in layout.internal.repartitionSplits {
                let (_, end) = try clients.bounds(split)
                resets.append(PartitionReset(split: split, isInternal: true, old: layout.committed[split], new: end, resolution: .end))
            }
            let checkpoints = layout.internal.tasks.map { task in
                let split = layout.internal.names.checkpointSplit(of: task)
                return CheckpointPartitionReset(task: task, split: split, oldPointer: layout.committed[split])
            }
            return OffsetResetPlan(
                job: job, target: target, createdAt: Int64((Date().timeIntervalSince1970 * 1000).rounded()),
                partitions: resets, checkpoints: checkpoints)
        }
    }

    /// Carries out `plan`: appends a reset record to every checkpoint partition it names, then
    /// commits, in one request, the new input and repartition offsets and each task's pointer
    /// just past its reset record. Returns the new pointers by task.
    ///
    /// Should the commit fail after the records were written, the old pointers stay and a
    /// restore ignores the reset records; apply the plan again.
    ///
    /// - Throws: ``JobOffsetsError/activeMembers(job:members:)`` when workers joined the group
    ///   since the plan was made, and the other ``JobOffsetsError`` cases.
    @discardableResult
    public func apply(_ plan: OffsetResetPlan) throws -> [TaskID: Int64] {
        try withClients(job: plan.job) { clients in
            try requireNoMembers(plan.job, clients)
            let pointers = try writeResetRecords(plan)
            var offsets = plan.partitions.filter { $0.resolution != .unchanged }
                .map { TopicPartitionOffset($0.split.topic, $0.split.partition, offset: $0.new) }
            for checkpoint in plan.checkpoints {
                offsets.append(TopicPartitionOffset(checkpoint.split.topic, checkpoint.split.partition, offset: pointers[checkpoint.task]!))
            }
            try clients.kafka("committing the offsets of group \(plan.job)") { try clients.group.commit(offsets) }
            logger.info("job \(plan.job): offsets reset to \(plan.target), \(plan.checkpoints.count) checkpoint partitions reset")
            return pointers
        }
    }

    /// Appends the reset record of every task of `plan` and returns each task's new pointer
    /// (the record's offset + 1).
    private func writeResetRecords(_ plan: OffsetResetPlan) throws -> [TaskID: Int64] {
        guard !plan.checkpoints.isEmpty else { return [:] }
        let reports = Mutex<[UInt: DeliveryReport]>([:])
        var configuration = ProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.client.properties = properties
        let producer: KafkaProducer
        do {
            producer = try KafkaProducer(configuration: configuration, logger: logger) { report in
                reports.withLock { $0[report.token] = report }
            }
        } catch let error as KafkaError {
            throw JobOffsetsError.kafkaFailed(bootstrap: bootstrapServers, operation: "creating a producer", reason: error.message)
        }
        let reason = "sluice offsets reset --to \(plan.target)"
        for (index, checkpoint) in plan.checkpoints.enumerated() {
            let record = CheckpointReset(jobName: plan.job, task: checkpoint.task, createdAt: plan.createdAt, reason: reason)
            do {
                try producer.send(
                    topic: checkpoint.split.topic, partition: checkpoint.split.partition, key: record.key,
                    value: record.encoded(), token: UInt(index + 1))
            } catch let error as KafkaError {
                throw JobOffsetsError.writeFailed(
                    job: plan.job, topic: checkpoint.split.topic, partition: checkpoint.split.partition, reason: error.message)
            }
        }
        do {
            try producer.flush(timeout: timeout)
        } catch let error as KafkaError {
            throw JobOffsetsError.kafkaFailed(bootstrap: bootstrapServers, operation: "writing reset records", reason: error.message)
        }
        let delivered = reports.withLock { $0 }
        var pointers: [TaskID: Int64] = [:]
        for (index, checkpoint) in plan.checkpoints.enumerated() {
            guard let report = delivered[UInt(index + 1)], report.error == nil, report.offset >= 0 else {
                throw JobOffsetsError.writeFailed(
                    job: plan.job, topic: checkpoint.split.topic, partition: checkpoint.split.partition,
                    reason: delivered[UInt(index + 1)]?.error?.message ?? "no delivery report")
            }
            pointers[checkpoint.task] = report.offset + 1
        }
        return pointers
    }

    /// Throws unless `job`'s group is without members: they would commit over a reset.
    private func requireNoMembers(_ job: String, _ clients: JobOffsetsClients) throws {
        let group = try clients.describeGroup(job)
        guard group.members.isEmpty else { throw JobOffsetsError.activeMembers(job: job, members: group.members) }
        guard !group.hasActiveState else { throw JobOffsetsError.groupActive(job: job, state: group.state) }
    }

    private func withClients<T>(job: String, _ body: (JobOffsetsClients) throws -> T) throws -> T {
        let clients = try JobOffsetsClients(
            bootstrapServers: bootstrapServers, properties: properties, timeout: timeout, group: job, logger: logger)
        defer { clients.close() }
        return try body(clients)
    }
}
