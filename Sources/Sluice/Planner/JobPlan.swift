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

        public var description: String {
            switch self {
            case .localHash: "local hash exchange"
            case .repartitionTopic(let topic): "repartition topic \(topic)"
            }
        }
    }

    public struct Stage: Sendable {
        public var id: Int
        /// Operators chained in this stage, in graph order.
        public var operators: [String]
        /// Source splits (stage 0) or exchange partitions (later stages): one task each.
        public var taskCount: Int
    }

    public struct ExchangeStep: Sendable {
        public var fromStage: Int
        public var toStage: Int
        /// The key name given to `keyBy`, if any.
        public var keyName: String?
        public var kind: ExchangeKind
        public var partitionCount: Int
    }

    public var jobName: String
    public var mode: Mode
    public var stages: [Stage]
    public var exchanges: [ExchangeStep]
    /// Source names (Kafka: topics) read by the job.
    public var sourceTopics: [String]
    /// Sink names written by the job.
    public var sinkNames: [String]
    /// Repartition topics the job needs, in distributed mode.
    public var repartitionTopics: [String] {
        exchanges.compactMap { if case .repartitionTopic(let topic) = $0.kind { topic } else { nil } }
    }

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
        return lines.joined(separator: "\n")
    }
}
