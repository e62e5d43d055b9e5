/// Names of a job's checkpoint topics: `<job>-<stage>-checkpoints`, compacted, one partition per
/// task of the stage, so task (stage, p) writes to partition p.
public enum CheckpointTopics {
    /// The checkpoint topic of `stage` of `job`.
    public static func name(job: String, stage: Int) -> String {
        "\(job)-\(stage)-checkpoints"
    }

    /// The partition holding `task`'s checkpoints.
    public static func split(job: String, task: TaskID) -> Split {
        Split(topic: name(job: job, stage: task.stage), partition: Int32(task.partition))
    }

    /// The task whose checkpoints `split` holds, when it is a checkpoint partition of `job`.
    public static func task(job: String, split: Split) -> TaskID? {
        let prefix = "\(job)-", suffix = "-checkpoints"
        guard split.topic.hasPrefix(prefix), split.topic.hasSuffix(suffix) else { return nil }
        let middle = split.topic.dropFirst(prefix.count).dropLast(suffix.count)
        guard let stage = Int(middle), stage >= 0 else { return nil }
        return TaskID(stage: stage, partition: Int(split.partition))
    }
}
