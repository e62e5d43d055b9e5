import ArgumentParser

/// The demo's commands, for the `sluice` executable: `demo` (an exactly-once keyed window job
/// through a rebalance and a crash, on a broker the test rig starts, its output checked),
/// `demo-worker` (hidden: one worker process of that job, started by `demo`) and `plan` (the
/// demo job's plan).
public enum DemoCommands {
    /// `demo`, `demo-worker` and `plan`.
    public static var all: [any ParsableCommand.Type] {
        [DemoCommand.self, DemoWorkerCommand.self, PlanCommand.self]
    }
}
