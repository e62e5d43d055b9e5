import RdKafka
import Sluice

/// A job's input positions as ``JobOffsets/show(job:topics:)`` found them: the group's active
/// members and, per partition of its input and repartition topics, committed offset, end and lag.
public struct JobOffsetsReport: Sendable, Equatable {
    /// The job (and its consumer group).
    public var job: String
    /// The group's state as its coordinator names it (`Stable`, `Empty`, …).
    public var groupState: String
    /// The group's active members: the job's running workers.
    public var members: [ConsumerGroupMember]
    /// One row per partition: input topics first, then repartition topics, each by partition.
    public var partitions: [PartitionOffsets]

    /// A report with every field given.
    public init(job: String, groupState: String, members: [ConsumerGroupMember], partitions: [PartitionOffsets]) {
        self.job = job
        self.groupState = groupState
        self.members = members
        self.partitions = partitions
    }

    /// Whether the group is in a state only a group with members is in, named or not (Tansu
    /// names members by id only, and librdkafka 2.16 passes them on only sometimes).
    public var isGroupActive: Bool {
        !members.isEmpty || ConsumerGroupDescription(groupID: job, state: groupState, members: []).hasActiveState
    }
}

/// One partition a job reads: where its group stands in it and how far behind the end.
public struct PartitionOffsets: Sendable, Equatable {
    /// The partition.
    public var split: Split
    /// Whether it belongs to one of the job's repartition topics rather than to its input.
    public var isInternal: Bool
    /// The group's committed offset; `nil` when it committed none.
    public var committed: Int64?
    /// The first offset still in the partition.
    public var low: Int64
    /// The end of the partition: the offset the next record gets.
    public var end: Int64
    /// What the task reading the partition would restore.
    public var checkpoint: TaskCheckpointState

    /// A row with every field given.
    public init(split: Split, isInternal: Bool, committed: Int64?, low: Int64, end: Int64, checkpoint: TaskCheckpointState) {
        self.split = split
        self.isInternal = isInternal
        self.committed = committed
        self.low = low
        self.end = end
        self.checkpoint = checkpoint
    }

    /// Records between the committed offset and the end; without a committed offset, between
    /// the low watermark and the end.
    public var lag: Int64 { max(0, end - (committed ?? low)) }
}

/// What the committed checkpoint of a task is.
public enum TaskCheckpointState: Sendable, Equatable {
    /// The group committed no checkpoint of the task (or no task reads the partition yet).
    case none
    /// A checkpoint: its task, and its sequence.
    case checkpoint(task: TaskID, sequence: UInt64)
    /// The task's state was reset by `sluice offsets reset`; it starts from empty state.
    case reset(task: TaskID)
}
