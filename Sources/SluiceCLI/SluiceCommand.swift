import ArgumentParser

/// The `sluice` executable.
@main
struct SluiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Sluice: Kafka-native stream processing in Swift.",
        subcommands: [DemoCommand.self, DemoWorkerCommand.self, PlanCommand.self, CheckpointsCommand.self, OffsetsCommand.self, VersionCommand.self],
        defaultSubcommand: DemoCommand.self
    )
}
