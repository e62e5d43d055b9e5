import Logging

/// Finds, per task about to be built, the committed checkpoint it restores from: the pointer
/// this worker knows (it committed or restored that checkpoint itself), else on a new
/// assignment the group's committed pointer, checked against the group's committed input
/// offset, and moved on by any newer confirmation (``CheckpointLocator``).
struct RestorePlanner {
    let jobName: String
    let log: any CheckpointLog
    let commitPoint: any CommitPoint
    /// An operator's explicit choice to start tasks whose checkpoint cannot be read from empty
    /// state (``JobConfiguration/resetsUnreadableState``).
    let resetsUnreadableState: Bool
    let observer: (@Sendable (CheckpointEvent) -> Void)?
    let logger: Logger

    /// A committed checkpoint to restore a task from.
    struct RestorePoint {
        var manifest: CheckpointManifest
        var pointer: Int64
        /// The task's partition of its checkpoint topic.
        var checkpointSplit: Split
    }

    /// The restore point of each task in `tasks` (by the split it reads) that has one.
    ///
    /// - Parameters:
    ///   - rewinding: the tasks are rebuilt on this worker after an abort, from the pointers it
    ///     knows (`knownPointer`); nothing newer can exist.
    ///   - knownPointer: the pointer of a task's last committed checkpoint this worker knows.
    func restorePoints(for tasks: [(split: Split, task: TaskID)], rewinding: Bool,
                       knownPointer: (TaskID) -> Int64?) throws -> [Split: RestorePoint] {
        var pointers: [Split: Int64] = [:]
        var checkpointSplits: [Split: Split] = [:]
        for (split, task) in tasks {
            checkpointSplits[split] = JobTopics(job: jobName).checkpointSplit(of: task)
            if let known = knownPointer(task) { pointers[split] = known }
        }
        var groupPositions: [Split: Int64] = [:]
        if !rewinding {
            let unknown = tasks.map(\.split).filter { pointers[$0] == nil }
            if !unknown.isEmpty {
                let committed: [Split: Int64]
                do {
                    committed = try commitPoint.committedPositions(for: unknown.map { checkpointSplits[$0]! } + unknown)
                } catch {
                    throw JobError.connectorFailed("reading committed checkpoint pointers", underlying: error)
                }
                for split in unknown {
                    if let pointer = committed[checkpointSplits[split]!] { pointers[split] = pointer }
                }
                groupPositions = committed
            }
        }
        var points: [Split: RestorePoint] = [:]
        let locator = CheckpointLocator(jobName: jobName, log: log)
        for (split, task) in tasks {
            let checkpointSplit = checkpointSplits[split]!
            do {
                let located: CheckpointLocator.Located?
                if rewinding {
                    // This worker committed or restored the pointer itself: nothing newer exists.
                    located = try pointers[split].map {
                        CheckpointLocator.Located(manifest: try locator.manifest(of: task, pointer: $0), pointer: $0, namedByGroup: true)
                    }
                } else {
                    located = try locator.locate(task, groupPointer: pointers[split]).checkpoint
                }
                guard let located else { continue }
                // Offsets committed with the checkpoint must agree with it, unless the broker
                // still shows an older pointer (a confirmation proved a newer checkpoint), when
                // the input's offset lags the same way.
                if !rewinding, located.namedByGroup, let position = located.manifest.inputPosition,
                   groupPositions[split] != position {
                    throw CheckpointError.positionMismatch(
                        job: jobName, task: task, input: split, checkpoint: position, committed: groupPositions[split])
                }
                if !located.namedByGroup {
                    logger.info("job \(jobName), \(task): the group's committed pointer names checkpoint \(pointers[split].map(String.init) ?? "none"); a confirmation proves checkpoint \(located.manifest.sequence) at \(located.pointer) committed, restoring that", metadata: ["task": "\(task)"])
                }
                points[split] = RestorePoint(manifest: located.manifest, pointer: located.pointer, checkpointSplit: checkpointSplit)
            } catch let error as CheckpointError where resetsUnreadableState {
                logger.warning("\(error) — starting \(task) from empty state at the group's committed offset, as resetsUnreadableState allows", metadata: ["task": "\(task)"])
                observer?(.stateReset(task: task, reason: "\(error)"))
            }
        }
        return points
    }
}
