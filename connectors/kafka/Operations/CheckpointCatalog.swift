import Foundation
import Logging
import RdKafka
import Sluice

/// Reads a job's committed checkpoints from Kafka without joining its consumer group: what
/// `sluice checkpoints list|inspect` shows, and what a restore of each task starts from.
///
/// For every partition of the job's checkpoint topics (`<job>-<stage>-checkpoints`, partition
/// `p` holding task `(stage, p)`), it reads the group's committed offset (the task's checkpoint
/// pointer; the group is named after the job) and finds the task's newest committed checkpoint
/// with the `CheckpointLocator` a restore uses, reading with `read_uncommitted` as a restore
/// does: the manifest the pointer names, unless a confirmation after it proves a newer one
/// committed while the broker still shows the older pointer. Then it reads the group's
/// committed offset of the manifest's input.
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
/// A pointer or confirmation that leads to no readable manifest of its task is an error
/// (``CheckpointCatalogError/unreadable(task:split:offset:reason:)``), as it is for a restore,
/// never a silently empty row; a pointer at a reset record of the task (`CheckpointReset`,
/// written by `sluice offsets reset`) with no checkpoint confirmed after it is a row with that
/// reset and no manifest: the task starts from empty state.
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

    /// One summary per task of every stage of `job`, ordered by stage and partition: the
    /// checkpoint a restore of the task starts from. Tasks that never committed a checkpoint
    /// have no manifest.
    ///
    /// - Throws: ``CheckpointCatalogError``: the brokers cannot be reached, the job has no
    ///   checkpoint topics, or a pointer or confirmation leads to no readable manifest of its
    ///   task.
    public func list(job: String) throws -> [TaskCheckpointSummary] {
        try withConsumer(job: job) { consumer in
            let tasks = try taskCounts(job: job, consumer: consumer).flatMap { stage, count in
                (0..<count).map { TaskID(stage: stage, partition: $0) }
            }
            return try summaries(of: tasks, job: job, explicitOffsets: [:], consumer: consumer)
        }
    }

    /// The summary of one task of `job`: the manifest (or reset record) at `manifestOffset` of
    /// the task's checkpoint partition when given, else the checkpoint a restore of the task
    /// starts from, as ``list(job:)`` finds it.
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

    /// Runs `body` with a consumer in `job`'s group, to read its committed offsets and the
    /// checkpoint partitions. The consumer never subscribes, so it never joins the group, and
    /// never commits.
    private func withConsumer<T>(job: String, _ body: (KafkaConsumer) throws -> T) throws -> T {
        let consumer = try kafka("creating a consumer") {
            try PartitionReader.makeConsumer(bootstrapServers: bootstrapServers, properties: properties, groupID: job, logger: logger)
        }
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

    /// The summaries of `tasks` of `job`, ordered: each task's newest committed checkpoint, or
    /// the manifest (or reset) at its explicit offset if given.
    private func summaries(
        of tasks: [TaskID], job: String, explicitOffsets: [TaskID: Int64], consumer: KafkaConsumer
    ) throws -> [TaskCheckpointSummary] {
        let tasks = tasks.sorted()
        let topics = JobTopics(job: job)
        let pointers = try committed(tasks.map(topics.checkpointSplit(of:)), group: job, consumer: consumer)
        let locator = CheckpointLocator(
            jobName: job, reader: PartitionReader(consumer: consumer, bootstrapServers: bootstrapServers, timeout: timeout))
        var found: [TaskID: (offset: Int64, target: CheckpointLocator.Target)] = [:]
        // In task order, so that of several broken checkpoints the first task's is reported.
        for task in tasks {
            do {
                if let offset = explicitOffsets[task] {
                    found[task] = (offset, try locator.target(of: task, at: offset))
                    continue
                }
                switch try locator.locate(task, groupPointer: pointers[topics.checkpointSplit(of: task)]) {
                case .none: break
                case .reset(let reset, let pointer): found[task] = (pointer - 1, .reset(reset))
                case .checkpoint(let located): found[task] = (located.pointer - 1, .manifest(located.manifest))
                }
            } catch CheckpointError.unreadable(_, let task, let split, let offset, _, let reason) {
                throw CheckpointCatalogError.unreadable(task: task, split: split, offset: offset, reason: reason)
            } catch let error as PartitionReadError {
                throw CheckpointCatalogError(error)
            }
        }
        let inputs = found.values.compactMap { if case .manifest(let manifest) = $0.target { manifest.input } else { nil } }
        let inputOffsets = inputs.isEmpty ? [:] : try committed(inputs, group: job, consumer: consumer)
        return tasks.map { task in
            let split = topics.checkpointSplit(of: task)
            var manifest: CheckpointManifest?
            var reset: CheckpointReset?
            switch found[task]?.target {
            case .manifest(let found)?: manifest = found
            case .reset(let found)?: reset = found
            case nil: break
            }
            return TaskCheckpointSummary(
                task: task, checkpointSplit: split, pointer: pointers[split], manifestOffset: found[task]?.offset,
                manifest: manifest, committedInputOffset: manifest?.input.flatMap { inputOffsets[$0] }, reset: reset)
        }
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
