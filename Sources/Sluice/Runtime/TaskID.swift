/// Names one task: a stage of the job and the partition of that stage it processes.
public struct TaskID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The stage's id in the ``JobPlan``.
    public var stage: Int
    /// Which of the stage's tasks: its source split's index in stage 0, its exchange partition in
    /// later stages.
    public var partition: Int

    /// The task processing `partition` of `stage`.
    public init(stage: Int, partition: Int) {
        self.stage = stage
        self.partition = partition
    }

    /// Orders by stage, then partition.
    public static func < (lhs: TaskID, rhs: TaskID) -> Bool {
        (lhs.stage, lhs.partition) < (rhs.stage, rhs.partition)
    }

    /// `task <stage>.<partition>`, as messages show it.
    public var description: String { "task \(stage).\(partition)" }
}
