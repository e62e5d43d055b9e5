/// Names one task: a stage of the job and the partition of that stage it processes.
public struct TaskID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var stage: Int
    public var partition: Int

    public init(stage: Int, partition: Int) {
        self.stage = stage
        self.partition = partition
    }

    public static func < (lhs: TaskID, rhs: TaskID) -> Bool {
        (lhs.stage, lhs.partition) < (rhs.stage, rhs.partition)
    }

    public var description: String { "task \(stage).\(partition)" }
}
