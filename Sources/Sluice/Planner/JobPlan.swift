/// The physical shape of a job: its stages, the exchanges between them and the topics it
/// touches. ``StreamEnvironment/describe()`` prints it.
public struct JobPlan: Sendable, CustomStringConvertible {
    /// How the job runs, decided by its sources.
    public enum Mode: String, Sendable {
        /// All sources are in-process: one process, in-process hash exchanges.
        case local
        /// Some source lives outside the process (Kafka): a consumer group, repartition topics.
        case distributed
    }

    /// How records cross from one stage to the next.
    public enum ExchangeKind: Sendable, Equatable, CustomStringConvertible {
        /// In-process hand-over by key hash, in local mode.
        case localHash
        /// A Kafka topic keyed by murmur2, in distributed mode.
        case repartitionTopic(String)

        /// The kind in words, as ``JobPlan/description`` shows it.
        public var description: String {
            switch self {
            case .localHash: "local hash exchange"
            case .repartitionTopic(let topic): "repartition topic \(topic)"
            }
        }
    }

    /// Operators chained between exchanges, run as one task per source split or exchange partition.
    public struct Stage: Sendable {
        /// The stage's number: 0 reads the sources; each exchange starts a new stage.
        public var id: Int
        /// Operators chained in this stage, in graph order.
        public var operators: [String]
        /// Source splits (stage 0) or exchange partitions (later stages): one task each.
        public var taskCount: Int
    }

    /// An exchange that partitions records by key between two stages.
    public struct ExchangeStep: Sendable {
        /// The ``Stage/id`` of the sending stage.
        public var fromStage: Int
        /// The ``Stage/id`` of the receiving stage.
        public var toStage: Int
        /// The key as people read it: the key path (`\Order.customer`) or the ``KeySelector/name``;
        /// `nil` for a closure key.
        public var keyName: String?
        /// How records cross: in process or through a repartition topic.
        public var kind: ExchangeKind
        /// Partitions of the exchange: one per task of the receiving stage.
        public var partitionCount: Int
    }

    /// The job's name, from ``StreamEnvironment/jobName``.
    public var jobName: String
    /// Whether the job runs in one process or in a consumer group.
    public var mode: Mode
    /// The stages, in order of their ids.
    public var stages: [Stage]
    /// The exchanges between stages, in graph order.
    public var exchanges: [ExchangeStep]
    /// Source names (Kafka: topics) read by the job.
    public var sourceTopics: [String]
    /// Sink names written by the job.
    public var sinkNames: [String]
    /// Repartition topics the job needs, in distributed mode.
    public var repartitionTopics: [String] {
        exchanges.compactMap { if case .repartitionTopic(let topic) = $0.kind { topic } else { nil } }
    }

    /// The compacted checkpoint topics an exactly-once run of the job writes, one per stage with
    /// a partition per task (distributed mode).
    public var checkpointTopics: [InternalTopic] {
        guard mode == .distributed else { return [] }
        return stages.map { InternalTopic(name: JobTopics(job: jobName).checkpoints(stage: $0.id), partitionCount: $0.taskCount) }
    }

    /// The plan as indented lines: sources, each stage with its tasks, operators and outgoing
    /// exchanges, sinks, and the topics to create.
    public var description: String {
        var lines = ["job \(jobName) (\(mode.rawValue) mode)"]
        lines.append("  sources: \(sourceTopics.joined(separator: ", "))")
        for stage in stages {
            lines.append("  stage \(stage.id) [\(stage.taskCount) task\(stage.taskCount == 1 ? "" : "s")]: \(stage.operators.joined(separator: " -> "))")
            for exchange in exchanges where exchange.fromStage == stage.id {
                let key = exchange.keyName.map { " by \($0)" } ?? ""
                lines.append("    => stage \(exchange.toStage) via \(exchange.kind)\(key), \(exchange.partitionCount) partitions")
            }
        }
        lines.append("  sinks: \(sinkNames.joined(separator: ", "))")
        if !repartitionTopics.isEmpty {
            lines.append("  topics to create: \(repartitionTopics.joined(separator: ", "))")
        }
        if !checkpointTopics.isEmpty {
            lines.append("  checkpoint topics (exactly-once): \(checkpointTopics.map { "\($0.name) [\($0.partitionCount)]" }.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}
