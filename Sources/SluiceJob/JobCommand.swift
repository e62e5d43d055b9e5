import ArgumentParser

/// The root command of a job executable: `<name> run …` and `<name> plan …`.
struct JobCommand<Job: StreamJob>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Job.name,
            abstract: Job.abstract,
            discussion: """
                Every option of `run` can also be given as an environment variable SLUICE_<OPTION> \
                (SLUICE_BOOTSTRAP, SLUICE_WORKERS, …), and so can the job's own options \
                (--input from SLUICE_INPUT); an option on the command line wins.
                """,
            subcommands: [RunCommand<Job>.self, PlanCommand<Job>.self])
    }
}
