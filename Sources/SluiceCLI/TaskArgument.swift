import ArgumentParser
import Sluice

/// A task named on the command line as `STAGE.PARTITION`, e.g. `1.0`, as `sluice checkpoints
/// list` shows tasks.
struct TaskArgument: ExpressibleByArgument {
    let task: TaskID

    init?(argument: String) {
        let parts = argument.split(separator: ".", omittingEmptySubsequences: false)
        // Partitions are Int32 in Kafka; a larger number would trap where it is converted.
        guard parts.count == 2, let stage = Int32(parts[0]), let partition = Int32(parts[1]), stage >= 0, partition >= 0
        else { return nil }
        task = TaskID(stage: Int(stage), partition: Int(partition))
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
