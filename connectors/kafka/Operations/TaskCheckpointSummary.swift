import Foundation
import Sluice

/// One task's committed checkpoint as a ``CheckpointCatalog`` found it: the consumer group's
/// pointer, the manifest a restore starts from (just before the pointer, or a newer one that a
/// confirmation proves committed), and the group's committed offset of the task's input, which
/// a restore requires to equal the manifest's input position when the pointer names it.
///
/// A task that never committed a checkpoint has no ``manifest``; a task whose state was reset
/// since has a ``pointer`` and a ``reset`` but no ``manifest``.
public struct TaskCheckpointSummary: Sendable, Equatable {
    /// The task: its stage, and its partition of that stage.
    public var task: TaskID
    /// The task's partition of its stage's checkpoint topic.
    public var checkpointSplit: Split
    /// The job's consumer group's committed offset of ``checkpointSplit``, as the broker shows
    /// it; `nil` when it shows none.
    public var pointer: Int64?
    /// The offset ``manifest`` (or ``reset``) was read at: `pointer - 1`; a later offset when
    /// a confirmation proves a newer checkpoint committed than the broker's pointer names
    /// (see ``isNamedByGroup``); or the offset asked for explicitly.
    public var manifestOffset: Int64?
    /// The manifest at ``manifestOffset``.
    public var manifest: CheckpointManifest?
    /// The group's committed offset of the manifest's input split; `nil` when the manifest
    /// names no input or the group committed nothing for it.
    public var committedInputOffset: Int64?
    /// The reset record at ``manifestOffset`` when the pointer names one (`sluice offsets
    /// reset`): the task has no checkpoint and starts from empty state.
    public var reset: CheckpointReset?

    /// A summary with every field given.
    public init(
        task: TaskID, checkpointSplit: Split, pointer: Int64?, manifestOffset: Int64?, manifest: CheckpointManifest?,
        committedInputOffset: Int64?, reset: CheckpointReset? = nil
    ) {
        self.reset = reset
        self.task = task
        self.checkpointSplit = checkpointSplit
        self.pointer = pointer
        self.manifestOffset = manifestOffset
        self.manifest = manifest
        self.committedInputOffset = committedInputOffset
    }

    /// Whether the group's committed ``pointer`` names the record at ``manifestOffset``. When it
    /// does not, the broker shows an older pointer (or none) than a confirmation in the
    /// checkpoint partition proves (Tansu shows transactional offsets late, librdkafka's mock
    /// clusters keep none), or another offset was asked for explicitly.
    public var isNamedByGroup: Bool {
        guard let pointer, let manifestOffset else { return false }
        return manifestOffset + 1 == pointer
    }

    /// Whether the manifest's input position equals the group's committed offset of that input,
    /// as a restore requires of a checkpoint the group's pointer names; `nil` when the manifest
    /// names no input position, or the pointer does not name it (``isNamedByGroup``): the
    /// group's input offset then lags with its pointer, and a restore checks nothing. `false`
    /// means the offsets were moved by hand since.
    public var inputAgrees: Bool? {
        guard let position = manifest?.inputPosition, isNamedByGroup else { return nil }
        return committedInputOffset == position
    }

    /// When the checkpoint was taken, by the writer's clock.
    public var createdAt: Date? {
        manifest.map { Date(timeIntervalSince1970: Double($0.createdAt) / 1000) }
    }

    /// How long before `now` the checkpoint was taken; negative when the writer's clock runs
    /// ahead of this one; `nil` without a manifest, or when its time is so far off that the
    /// difference does not fit in 64 bits of milliseconds.
    public func age(at now: Date = Date()) -> Duration? {
        guard let manifest else { return nil }
        let (milliseconds, overflow) = Int64((now.timeIntervalSince1970 * 1000).rounded())
            .subtractingReportingOverflow(manifest.createdAt)
        return overflow ? nil : .milliseconds(milliseconds)
    }
}
