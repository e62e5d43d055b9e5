/// The names of a job's internal topics, all derived from the job's name: the one place the
/// planner, the runtime, the connectors, the operator tools and the demo take them from.
///
/// - `<job>-<stage>-repartition` carries a distributed `keyBy` into `stage`, one partition per
///   task of the stage;
/// - `<job>-<stage>-checkpoints` holds the checkpoints of `stage`'s tasks, compacted, one
///   partition per task: task (stage, p) writes to partition p.
///
/// A job's dead-letter topic is not among them: the job names it itself
/// (``BadInputPolicy/deadLetter(_:)`` takes a sink), so there is nothing to derive.
///
/// ```swift
/// let topics = JobTopics(job: "word-count")
/// topics.repartition(stage: 1)                              // "word-count-1-repartition"
/// topics.checkpointSplit(of: TaskID(stage: 1, partition: 2)) // word-count-1-checkpoints[2]
/// ```
public struct JobTopics: Sendable, Hashable {
    /// What an internal topic is for.
    public enum Kind: Sendable, Hashable {
        /// A repartition topic, feeding a stage.
        case repartition
        /// A checkpoint topic, holding a stage's task checkpoints.
        case checkpoints
    }

    /// The job's name (also its consumer group's).
    public let job: String

    /// The internal topics of `job`.
    public init(job: String) {
        self.job = job
    }

    /// The repartition topic feeding `stage`.
    public func repartition(stage: Int) -> String {
        name(stage: stage, kind: .repartition)
    }

    /// The checkpoint topic of `stage`.
    public func checkpoints(stage: Int) -> String {
        name(stage: stage, kind: .checkpoints)
    }

    /// The partition holding `task`'s checkpoints.
    public func checkpointSplit(of task: TaskID) -> Split {
        Split(topic: checkpoints(stage: task.stage), partition: Int32(task.partition))
    }

    /// The task whose checkpoints `split` holds, when it is a checkpoint partition of the job.
    public func task(ofCheckpointSplit split: Split) -> TaskID? {
        guard let (stage, kind) = stage(of: split.topic), kind == .checkpoints else { return nil }
        return TaskID(stage: stage, partition: Int(split.partition))
    }

    /// The stage and kind of `topic` when it is an internal topic of the job; `nil` for any
    /// other topic, including those of another job whose name starts like this one's.
    public func stage(of topic: String) -> (stage: Int, kind: Kind)? {
        let prefix = "\(job)-"
        guard topic.hasPrefix(prefix) else { return nil }
        for kind in [Kind.repartition, .checkpoints] {
            let suffix = Self.suffix(kind)
            guard topic.hasSuffix(suffix), topic.count >= prefix.count + suffix.count else { continue }
            let middle = topic.dropFirst(prefix.count).dropLast(suffix.count)
            // Only the spelling `name(stage:kind:)` writes: no sign, no leading zero.
            if let stage = Int(middle), stage >= 0, String(stage) == middle { return (stage, kind) }
        }
        return nil
    }

    private func name(stage: Int, kind: Kind) -> String {
        "\(job)-\(stage)\(Self.suffix(kind))"
    }

    private static func suffix(_ kind: Kind) -> String {
        switch kind {
        case .repartition: "-repartition"
        case .checkpoints: "-checkpoints"
        }
    }
}
