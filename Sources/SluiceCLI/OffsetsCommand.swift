import ArgumentParser

/// `sluice offsets`: a job's input positions, shown or reset.
struct OffsetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offsets",
        abstract: "Show or reset the input offsets of a job, keeping its state consistent.",
        discussion: """
            A job's consumer group is named after the job and commits the offsets of its input \
            topics and of its repartition topics <job>-<stage>-repartition. `show` reads them \
            without joining the group; `reset` moves them (and resets every task's state) while \
            no worker of the job runs.
            """,
        subcommands: [OffsetsShowCommand.self, OffsetsResetCommand.self])
}
