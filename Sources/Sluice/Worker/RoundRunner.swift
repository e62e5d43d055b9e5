import Dispatch

/// Runs one round of a worker's tasks, stage by stage: all tasks of a stage run in parallel on
/// the thread pool, each pushing processing time, its batch and its watermark synchronously
/// through its chain; the next stage starts when the whole stage is done.
struct RoundRunner {
    /// Threads running tasks; 1 runs every task on the driver thread.
    let threads: Int

    /// Runs every stage of `stages` in order at processing time `now`; rethrows the failure of
    /// the first task (in stage order) that failed.
    func run(_ stages: [[Task]], now: Int64) throws {
        for stage in stages {
            try run(stage, now: now)
        }
        for stage in stages {
            for task in stage { task.metrics?.noteFailures(skipped: task.failures.skipped, deadLettered: task.failures.deadLettered) }
        }
    }

    private func run(_ tasks: [Task], now: Int64) throws {
        if threads <= 1 || tasks.count <= 1 {
            for task in tasks { try task.head.runRound(now: now) }
            return
        }
        let work = PhaseWork(tasks: tasks, errors: LockedValue([]))
        DispatchQueue.concurrentPerform(iterations: tasks.count) { index in
            do {
                try work.tasks[index].head.runRound(now: now)
            } catch {
                work.errors.withLock { $0.append((index, error)) }
            }
        }
        if let first = work.errors.withLock({ $0.min { $0.0 < $1.0 } }) {
            throw first.1
        }
    }
}
