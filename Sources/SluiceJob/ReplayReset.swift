import Logging
import SluiceKafka

/// How `run --from X` (X other than `committed`) replays: before any worker starts, the job's
/// consumer group's offsets of its input topics move to X and the job's checkpoint pointers
/// are cleared (fresh state), refused while the group has active members. The run then starts
/// from the committed offsets as usual.
///
/// This is the one place that knows the library doing it.
protocol ReplayReset {
    /// Moves `job`'s input offsets of `topics` to `target` and resets the state of every task
    /// of its `stages` stages; returns how many input partitions moved.
    func reset(job: String, topics: [String], stages: Int, to target: StartPosition) throws -> Int
}

/// Why a replay did not happen.
struct ReplayUnavailable: Error, CustomStringConvertible {
    var target: StartPosition

    var description: String {
        "--from \(target): replay is not available in this build (it needs JobOffsets from SluiceKafka, not merged yet); nothing was reset, the job did not start"
    }
}

/// The replay through `SluiceKafka.JobOffsets`:
/// `JobOffsets(bootstrapServers:properties:timeout:logger:).planReset(job:topics:stages:to:)`
/// then `.apply(plan)`.
///
/// PENDING (branch `offsets`): `JobOffsets` and `OffsetResetTarget` are not on main yet. Until
/// they are, this refuses every replay instead of pretending to reset anything. When they land,
/// the body becomes (against the API on that branch):
///
/// ```swift
/// let offsets = JobOffsets(bootstrapServers: bootstrapServers, properties: properties, timeout: timeout, logger: logger)
/// let resetTarget: OffsetResetTarget
/// switch target {
/// case .committed: return 0
/// case .earliest: resetTarget = .earliest
/// case .latest: resetTarget = .latest
/// case .time(let milliseconds, _): resetTarget = .timestamp(millisecondsSinceEpoch: milliseconds)
/// case .offsets(let list):
///     resetTarget = .offsets(Dictionary(grouping: list, by: \.topic).mapValues {
///         Dictionary($0.map { ($0.partition, $0.offset) }, uniquingKeysWith: { _, last in last }) })
/// }
/// // Explicit offsets name their own topics; planReset refuses a topic list that differs.
/// var named: [String]? = topics
/// if case .offsets = resetTarget { named = nil }
/// let plan = try offsets.planReset(job: job, topics: named, stages: stages, to: resetTarget)
/// try offsets.apply(plan)
/// return plan.partitions.filter { !$0.isInternal && $0.resolution != .unchanged }.count
/// ```
struct JobOffsetsReplayReset: ReplayReset {
    var bootstrapServers: String
    var properties: [String: String]
    var timeout: Duration
    var logger: Logger

    func reset(job: String, topics: [String], stages: Int, to target: StartPosition) throws -> Int {
        throw ReplayUnavailable(target: target)
    }
}
