import ArgumentParser
import Logging
import SluiceJob
import SluiceKafka

/// Where the brokers are and how to talk to them, for the commands that read a cluster.
///
/// The librdkafka properties come as a job's do (``SluiceJob/KafkaPropertyOptions``):
/// `--property`, `--properties-file`, a `--config` file's `kafka.*` lines, and
/// `SLUICE_BOOTSTRAP`, `SLUICE_PROPERTIES_FILE` and `SLUICE_CONFIG` (see ``SluiceCommand``).
struct KafkaConnectionOptions: ParsableArguments {
    @Option(
        name: [.customLong("bootstrap"), .customLong("bootstrap-servers")],
        help: ArgumentHelp(
            "The brokers, as a comma-separated HOST:PORT list. Env: SLUICE_BOOTSTRAP; or bootstrap in --config.",
            valueName: "host:port"))
    var bootstrap: String

    @OptionGroup var kafka: KafkaPropertyOptions

    @Option(help: ArgumentHelp("How long each request to the brokers may take.", valueName: "seconds"))
    var timeout: Double = 10

    @Flag(help: "Show librdkafka's own log lines on standard error.")
    var verbose = false

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout takes 0 < seconds <= 3600") }
    }

    /// A catalog reading the cluster with these options.
    ///
    /// - Throws: `KafkaConfigurationError` for a property librdkafka refuses.
    func catalog() throws -> CheckpointCatalog {
        let properties = try kafka.checkedProperties()
        // librdkafka logs every failed connection attempt; the command reports what failed in
        // one line of its own, so the raw lines are shown only when asked for.
        var logger = verbose
            ? Logger(label: "sluice.checkpoints") : Logger(label: "sluice.checkpoints") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .warning
        return CheckpointCatalog(
            bootstrapServers: bootstrap, properties: properties, timeout: .milliseconds(Int64(timeout * 1000)), logger: logger)
    }
}
