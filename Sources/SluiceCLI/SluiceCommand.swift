import ArgumentParser
import SluiceDemo

/// The `sluice` executable. Without a subcommand it prints its help.
@main
struct SluiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Sluice: Kafka-native stream processing in Swift.",
        subcommands: DemoCommands.all + [AuditCommand.self, CheckpointsCommand.self, OffsetsCommand.self, VersionCommand.self]
    )
}
