import ArgumentParser
import Logging
import SluiceKafka

/// Where the brokers are and how to talk to them, for the commands that read a cluster.
struct KafkaConnectionOptions: ParsableArguments {
    @Option(
        name: [.customLong("bootstrap"), .customLong("bootstrap-servers")],
        help: ArgumentHelp("The brokers, as a comma-separated HOST:PORT list.", valueName: "host:port"))
    var bootstrap: String

    @Option(
        name: .customLong("property"),
        help: ArgumentHelp("A librdkafka property for the client (SASL, SSL, …); repeatable.", valueName: "key=value"))
    var properties: [String] = []

    @Option(help: ArgumentHelp("How long each request to the brokers may take.", valueName: "seconds"))
    var timeout: Double = 10

    @Flag(help: "Show librdkafka's own log lines on standard error.")
    var verbose = false

    func validate() throws {
        for property in properties where !property.contains("=") || property.hasPrefix("=") {
            throw ValidationError("--property takes key=value, got '\(property)'")
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout takes 0 < seconds <= 3600") }
    }

    /// A catalog reading the cluster with these options.
    func catalog() -> CheckpointCatalog {
        var parsed: [String: String] = [:]
        for property in properties {
            let parts = property.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            parsed[String(parts[0])] = String(parts[1])
        }
        // librdkafka logs every failed connection attempt; the command reports what failed in
        // one line of its own, so the raw lines are shown only when asked for.
        var logger = verbose
            ? Logger(label: "sluice.checkpoints") : Logger(label: "sluice.checkpoints") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .warning
        return CheckpointCatalog(
            bootstrapServers: bootstrap, properties: parsed, timeout: .milliseconds(Int64(timeout * 1000)), logger: logger)
    }
}
