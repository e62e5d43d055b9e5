import ArgumentParser

/// `sluice checkpoints`: what an exactly-once job's tasks would restore from.
struct CheckpointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoints",
        abstract: "Show the committed checkpoints of an exactly-once job.",
        discussion: """
            Each task (stage, partition) of an exactly-once job writes its checkpoints to \
            partition <partition> of the compacted topic <job>-<stage>-checkpoints. The job's \
            consumer group (named after the job) commits, in the same transaction as the task's \
            input offsets, the offset after the task's latest manifest: its checkpoint pointer. \
            These commands read pointers, manifests and committed offsets without joining the \
            group, so they are safe to run against a live job.
            """,
        subcommands: [CheckpointsListCommand.self, CheckpointsInspectCommand.self])
}
