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

/// The replay through `SluiceKafka.JobOffsets`, the library behind `sluice offsets reset`: it
/// plans the reset (refused while the group has active members), then applies it: input
/// offsets moved, repartition topics moved to their end, and a reset record in every task's
/// checkpoint partition so each task starts empty.
struct JobOffsetsReplayReset: ReplayReset {
    var bootstrapServers: String
    var properties: [String: String]
    var timeout: Duration
    var logger: Logger

    func reset(job: String, topics: [String], stages: Int, to target: StartPosition) throws -> Int {
        let resetTarget: OffsetResetTarget
        switch target {
        case .committed: return 0
        case .earliest: resetTarget = .earliest
        case .latest: resetTarget = .latest
        case .time(let milliseconds, _): resetTarget = .timestamp(millisecondsSinceEpoch: milliseconds)
        case .offsets(let list):
            resetTarget = .offsets(
                Dictionary(grouping: list, by: \.topic).mapValues {
                    Dictionary($0.map { ($0.partition, $0.offset) }, uniquingKeysWith: { _, last in last })
                })
        }
        let offsets = JobOffsets(bootstrapServers: bootstrapServers, properties: properties, timeout: timeout, logger: logger)
        // Explicit offsets name their own topics.
        let named: [String]? = if case .offsets = resetTarget { nil } else { topics }
        let plan = try offsets.planReset(job: job, topics: named, stages: stages, to: resetTarget)
        _ = try offsets.apply(plan)
        return plan.partitions.filter { !$0.isInternal && $0.resolution != .unchanged }.count
    }
}
