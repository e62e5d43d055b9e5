import Foundation
import Logging
import RdKafka
import Sluice

/// Reads a job's committed checkpoints from Kafka without joining its consumer group: what
/// `sluice checkpoints list|inspect` shows, and what a restore of each task would start from.
///
/// For every partition of the job's checkpoint topics (`<job>-<stage>-checkpoints`, partition
/// `p` holding task `(stage, p)`), it reads the group's committed offset (the task's checkpoint
/// pointer; the group is named after the job), then the manifest just before the pointer by
/// exact offset, with `read_uncommitted` (as a restore does, so a transaction a worker left
/// open cannot hide it), then the group's committed offset of the manifest's input.
///
/// ```swift
/// let catalog = CheckpointCatalog(bootstrapServers: "127.0.0.1:9092")
/// for row in try catalog.list(job: "click-counts") {
///     print(row.task, row.manifest?.sequence ?? 0, row.inputAgrees ?? true)
/// }
/// ```
///
/// It only reads: it never joins the group, commits, or writes, so it is safe to run against a
/// live job. What it reports is the state of the moment; a running job moves on.
///
/// A pointer whose record is no readable manifest is an error (``CheckpointCatalogError``), as
/// it is for a restore, never a silently empty row; a pointer at a reset record of the task
/// (`CheckpointReset`, written by `sluice offsets reset`) is a row with that reset and no
/// manifest: the task starts from empty state.
public struct CheckpointCatalog: Sendable {
    /// `bootstrap.servers`.
    public let bootstrapServers: String
    /// librdkafka properties for its consumer: SASL, SSL and the like.
    public let properties: [String: String]
    /// How long each request to the brokers, and the whole read of the manifests, may take.
    public let timeout: Duration
    private let logger: Logger

    /// A catalog of the jobs at `bootstrapServers`; it connects only when asked something.
    ///
    /// - Parameters:
    ///   - properties: any librdkafka consumer property, e.g. `security.protocol`.
    ///   - timeout: how long each request to the brokers may take.
    ///   - logger: where librdkafka's own log lines go.
    public init(
        bootstrapServers: String, properties: [String: String] = [:], timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "sluice.checkpoints")
    ) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.timeout = timeout
        self.logger = logger
    }

    /// One summary per task of every stage of `job`, ordered by stage and partition; tasks that
    /// never committed a checkpoint have no pointer and no manifest.
    ///
    /// - Throws: ``CheckpointCatalogError``: the brokers cannot be reached, the job has no
    ///   checkpoint topics, or a pointer names no readable manifest of its task.
    public func list(job: String) throws -> [TaskCheckpointSummary] {
        try withConsumer(job: job) { consumer in
            let tasks = try taskCounts(job: job, consumer: consumer).flatMap { stage, count in
                (0..<count).map { TaskID(stage: stage, partition: $0) }
            }
            return try summaries(of: tasks, job: job, explicitOffsets: [:], consumer: consumer)
        }
    }

    /// The summary of one task of `job`, its manifest read at `manifestOffset` of the task's
    /// checkpoint partition when given, else just before the group's committed pointer.
    ///
    /// - Throws: ``CheckpointCatalogError``, as ``list(job:)`` does, and
    ///   ``CheckpointCatalogError/unknownTask(job:task:taskCounts:)`` when the job has no such task.
    public func inspect(job: String, task: TaskID, manifestOffset: Int64? = nil) throws -> TaskCheckpointSummary {
        try withConsumer(job: job) { consumer in
            let counts = try taskCounts(job: job, consumer: consumer)
            guard let count = counts[task.stage], (0..<count).contains(task.partition) else {
                throw CheckpointCatalogError.unknownTask(job: job, task: task, taskCounts: counts)
            }
            let explicit = manifestOffset.map { [task: $0] } ?? [:]
            return try summaries(of: [task], job: job, explicitOffsets: explicit, consumer: consumer)[0]
        }
    }

    /// Runs `body` with a consumer in `job`'s group, to read its committed offsets. The consumer
    /// never subscribes, so it never joins the group, and never commits.
    private func withConsumer<T>(job: String, _ body: (KafkaConsumer) throws -> T) throws -> T {
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: job)
        configuration.isolationLevel = .readUncommitted
        configuration.client.properties = properties
        let consumer = try kafka("creating a consumer") { try KafkaConsumer(configuration: configuration, logger: logger) }
        defer { consumer.close() }
        return try body(consumer)
    }

    /// Per stage of `job`, how many tasks it has: its checkpoint topic's partition count.
    private func taskCounts(job: String, consumer: KafkaConsumer) throws -> [Int: Int] {
        let topics: [String]
        do {
            topics = try consumer.listTopics(timeout: timeout)
        } catch let error as KafkaError {
            // The first request: when it fails, the brokers are down, elsewhere, or refuse us.
            throw CheckpointCatalogError.unreachable(bootstrap: bootstrapServers, reason: error.message)
        }
        var counts: [Int: Int] = [:]
        for topic in topics {
            guard let task = JobTopics(job: job).task(ofCheckpointSplit: Split(topic: topic, partition: 0)) else { continue }
            counts[task.stage] = try kafka("describing topic \(topic)") {
                try consumer.describeTopic(topic, timeout: timeout).partitions.count
            }
        }
        guard !counts.isEmpty else { throw CheckpointCatalogError.unknownJob(job: job, bootstrap: bootstrapServers) }
        return counts
    }

    /// The summaries of `tasks` of `job`, ordered, each manifest read at its explicit offset if
    /// given, else just before its pointer.
    private func summaries(
        of tasks: [TaskID], job: String, explicitOffsets: [TaskID: Int64], consumer: KafkaConsumer
    ) throws -> [TaskCheckpointSummary] {
        let tasks = tasks.sorted()
        let splits = Dictionary(uniqueKeysWithValues: tasks.map { ($0, JobTopics(job: job).checkpointSplit(of: $0)) })
        let pointers = try committed(Array(splits.values), group: job, consumer: consumer)
        var manifestOffsets: [TaskID: Int64] = [:]
        for task in tasks {
            manifestOffsets[task] = explicitOffsets[task] ?? pointers[splits[task]!].map { $0 - 1 }
        }
        var targets: [TopicPartition: Int64] = [:]
        for (task, offset) in manifestOffsets {
            targets[TopicPartition(splits[task]!.topic, splits[task]!.partition)] = offset
        }
        let read = try kafka("reading checkpoint manifests") {
            try ExactOffsetReader(consumer: consumer, timeout: timeout).read(targets)
        }
        var manifests: [TaskID: CheckpointManifest] = [:]
        var resets: [TaskID: CheckpointReset] = [:]
        // In task order, so that of several broken pointers the first task's is reported.
        for task in tasks {
            guard let offset = manifestOffsets[task] else { continue }
            let split = splits[task]!
            let outcome = read[TopicPartition(split.topic, split.partition)]!
            if case .record(let bytes?) = outcome, let reset = CheckpointReset.decodeIfReset(bytes),
               reset.jobName == job, reset.task == task {
                resets[task] = reset
                continue
            }
            manifests[task] = try manifest(of: task, job: job, in: split, at: offset, outcome)
        }
        let inputs = manifests.values.compactMap(\.input)
        let inputOffsets = inputs.isEmpty ? [:] : try committed(inputs, group: job, consumer: consumer)
        return tasks.map { task in
            let manifest = manifests[task]
            return TaskCheckpointSummary(
                task: task, checkpointSplit: splits[task]!, pointer: pointers[splits[task]!],
                manifestOffset: manifestOffsets[task], manifest: manifest,
                committedInputOffset: manifest?.input.flatMap { inputOffsets[$0] }, reset: resets[task])
        }
    }

    /// The manifest `outcome` holds, or the error naming what the offset holds instead.
    private func manifest(
        of task: TaskID, job: String, in split: Split, at offset: Int64, _ outcome: ExactOffsetReader.Outcome
    ) throws -> CheckpointManifest {
        let value: [UInt8]
        switch outcome {
        case .absent(let reason):
            throw CheckpointCatalogError.noRecord(task: task, split: split, offset: offset, reason: reason)
        case .record(nil):
            throw CheckpointCatalogError.noRecord(task: task, split: split, offset: offset, reason: "only a tombstone")
        case .record(let bytes?):
            value = bytes
        }
        let manifest: CheckpointManifest
        do {
            manifest = try CheckpointManifest.decode(value)
        } catch CheckpointFormatError.unknownVersion(let version) where version > CheckpointManifest.formatVersion {
            throw CheckpointCatalogError.newerFormat(task: task, split: split, offset: offset, version: version)
        } catch {
            throw CheckpointCatalogError.notAManifest(task: task, split: split, offset: offset, reason: "\(error)")
        }
        guard manifest.jobName == job, manifest.task == task else {
            throw CheckpointCatalogError.otherTasksManifest(
                task: task, split: split, offset: offset, foundJob: manifest.jobName, foundTask: manifest.task)
        }
        return manifest
    }

    /// `group`'s committed offsets of `splits`; absent where it committed none.
    private func committed(_ splits: [Split], group: String, consumer: KafkaConsumer) throws -> [Split: Int64] {
        let offsets = try kafka("reading the committed offsets of group \(group)") {
            try consumer.committed(splits.map { TopicPartition($0.topic, $0.partition) }, timeout: timeout)
        }
        var out: [Split: Int64] = [:]
        for offset in offsets where offset.offset >= 0 {
            out[Split(topic: offset.topic, partition: offset.partition)] = offset.offset
        }
        return out
    }

    /// Runs `body`, naming the brokers and `operation` in a librdkafka error.
    private func kafka<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KafkaError {
            throw CheckpointCatalogError.kafkaFailed(bootstrap: bootstrapServers, operation: operation, reason: error.message)
        }
    }
}
