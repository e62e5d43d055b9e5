import RdKafka
import Sluice

/// What an offset reset of a job does, made by ``JobOffsets/planReset(job:topics:stages:to:)``
/// and carried out by ``JobOffsets/apply(_:)``: new input offsets, the repartition topics moved
/// to their end, and a reset record in every checkpoint partition so that every task starts
/// from empty state at the new offsets.
public struct OffsetResetPlan: Sendable, Equatable {
    /// The job (and its consumer group).
    public var job: String
    /// What was asked for.
    public var target: OffsetResetTarget
    /// When the plan was made, in milliseconds since the Unix epoch (the reset records' time).
    public var createdAt: Int64
    /// Every partition whose committed offset the reset sets: input partitions first, then
    /// repartition partitions, each by partition.
    public var partitions: [PartitionReset]
    /// Every checkpoint partition that gets a reset record, by task.
    public var checkpoints: [CheckpointPartitionReset]

    /// A plan with every field given.
    public init(
        job: String, target: OffsetResetTarget, createdAt: Int64, partitions: [PartitionReset],
        checkpoints: [CheckpointPartitionReset]
    ) {
        self.job = job
        self.target = target
        self.createdAt = createdAt
        self.partitions = partitions
        self.checkpoints = checkpoints
    }
}

/// One partition's committed offset before and after a reset.
public struct PartitionReset: Sendable, Equatable {
    /// The partition.
    public var split: Split
    /// Whether it belongs to one of the job's repartition topics (reset to its end).
    public var isInternal: Bool
    /// The group's committed offset before; `nil` when it committed none.
    public var old: Int64?
    /// The committed offset after.
    public var new: Int64
    /// How ``new`` was found.
    public var resolution: OffsetResolution

    /// A partition's reset with every field given.
    public init(split: Split, isInternal: Bool, old: Int64?, new: Int64, resolution: OffsetResolution) {
        self.split = split
        self.isInternal = isInternal
        self.old = old
        self.new = new
        self.resolution = resolution
    }
}

/// How a reset found a partition's new offset.
public enum OffsetResolution: String, Sendable, Equatable {
    /// The low watermark.
    case earliest
    /// The end of the partition (also for repartition topics, whose records belong to the old
    /// state).
    case end
    /// Given explicitly.
    case explicit
    /// Not named among explicit offsets: the committed offset stays.
    case unchanged
    /// The broker's offset for the time, verified by reading the record there and the one
    /// before it.
    case lookup
    /// Found by reading the partition from its start, because the broker's answer was missing
    /// or wrong.
    case scan
}

/// A checkpoint partition that gets a reset record, and its pointer before.
public struct CheckpointPartitionReset: Sendable, Equatable {
    /// The task whose state is reset.
    public var task: TaskID
    /// Its checkpoint partition.
    public var split: Split
    /// The group's committed pointer before; `nil` when it committed none.
    public var oldPointer: Int64?

    /// A checkpoint partition's reset with every field given.
    public init(task: TaskID, split: Split, oldPointer: Int64?) {
        self.task = task
        self.split = split
        self.oldPointer = oldPointer
    }
}
