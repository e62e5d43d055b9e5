import RdKafka
import Sluice

/// The topics of a job in a cluster, by name: its repartition topics
/// (`<job>-<stage>-repartition`) and checkpoint topics (`<job>-<stage>-checkpoints`), with their
/// partition counts.
struct JobTopics {
    /// Per stage, the partition count of its repartition topic.
    var repartition: [Int: Int] = [:]
    /// Per stage, the partition count of its checkpoint topic: how many tasks it has.
    var checkpoints: [Int: Int] = [:]

    /// The repartition topic of `stage` of `job`.
    static func repartitionTopic(job: String, stage: Int) -> String { "\(job)-\(stage)-repartition" }

    /// The stage of `job` whose internal topic `topic` is, and whether it is a repartition topic
    /// (else a checkpoint topic); `nil` for any other topic.
    static func stage(of topic: String, job: String) -> (stage: Int, isRepartition: Bool)? {
        let prefix = "\(job)-"
        guard topic.hasPrefix(prefix) else { return nil }
        for (suffix, isRepartition) in [("-repartition", true), ("-checkpoints", false)] where topic.hasSuffix(suffix) {
            let middle = topic.dropFirst(prefix.count).dropLast(suffix.count)
            if let stage = Int(middle), stage >= 0, String(stage) == middle { return (stage, isRepartition) }
        }
        return nil
    }

    /// The internal topics of `job` among `topics`, stages below `stages` only when given.
    init(job: String, topics: [String], stages: Int?, partitions: (String) throws -> Int) throws {
        for topic in topics {
            guard let (stage, isRepartition) = Self.stage(of: topic, job: job), stage < stages ?? Int.max else { continue }
            if isRepartition {
                repartition[stage] = try partitions(topic)
            } else {
                checkpoints[stage] = try partitions(topic)
            }
        }
    }

    var isEmpty: Bool { repartition.isEmpty && checkpoints.isEmpty }

    /// Every partition of the repartition topics, by stage and partition.
    func repartitionSplits(job: String) -> [Split] {
        repartition.sorted { $0.key < $1.key }.flatMap { stage, count in
            (0..<count).map { Split(topic: Self.repartitionTopic(job: job, stage: stage), partition: Int32($0)) }
        }
    }

    /// Every task with a checkpoint partition, by stage and partition.
    var tasks: [TaskID] {
        checkpoints.sorted { $0.key < $1.key }.flatMap { stage, count in (0..<count).map { TaskID(stage: stage, partition: $0) } }
    }
}
