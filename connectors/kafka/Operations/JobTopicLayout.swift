import RdKafka
import Sluice

/// A job's internal topics as a cluster holds them (see ``Sluice/JobTopics``): its repartition
/// and checkpoint topics, each with its partition count.
struct JobTopicLayout {
    /// Per stage, the partition count of its repartition topic.
    var repartition: [Int: Int] = [:]
    /// Per stage, the partition count of its checkpoint topic: how many tasks it has.
    var checkpoints: [Int: Int] = [:]
    /// The names they go by.
    let names: JobTopics

    /// The internal topics of `job` among `topics`, stages below `stages` only when given.
    init(job: String, topics: [String], stages: Int?, partitions: (String) throws -> Int) throws {
        names = JobTopics(job: job)
        for topic in topics {
            guard let (stage, kind) = names.stage(of: topic), stage < stages ?? Int.max else { continue }
            switch kind {
            case .repartition: repartition[stage] = try partitions(topic)
            case .checkpoints: checkpoints[stage] = try partitions(topic)
            }
        }
    }

    var isEmpty: Bool { repartition.isEmpty && checkpoints.isEmpty }

    /// Every partition of the repartition topics, by stage and partition.
    var repartitionSplits: [Split] {
        repartition.sorted { $0.key < $1.key }.flatMap { stage, count in
            (0..<count).map { Split(topic: names.repartition(stage: stage), partition: Int32($0)) }
        }
    }

    /// Every task with a checkpoint partition, by stage and partition.
    var tasks: [TaskID] {
        checkpoints.sorted { $0.key < $1.key }.flatMap { stage, count in (0..<count).map { TaskID(stage: stage, partition: $0) } }
    }
}
