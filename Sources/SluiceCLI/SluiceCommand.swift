import ArgumentParser
import Foundation
import SluiceDemo
import SluiceJob

/// The `sluice` executable. Without a subcommand it prints its help.
///
/// `offsets` and `checkpoints` take `SLUICE_BOOTSTRAP`, `SLUICE_PROPERTIES_FILE` and
/// `SLUICE_CONFIG` as a job's `run` does, so credentials stay out of `ps` and shell history.
@main
struct SluiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Sluice: Kafka-native stream processing in Swift.",
        subcommands: DemoCommands.all + [AuditCommand.self, CheckpointsCommand.self, OffsetsCommand.self, VersionCommand.self]
    )

    /// Parses the command line, with the `SLUICE_*` connection variables for the commands that
    /// read a cluster, runs the chosen subcommand and exits.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.count >= 2, ["offsets", "checkpoints"].contains(arguments[0]), !arguments[1].hasPrefix("-") {
            arguments = KafkaPropertyOptions.connectionArguments(arguments, environment: ProcessInfo.processInfo.environment)
        }
        main(arguments)
    }
}
