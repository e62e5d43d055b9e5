import ArgumentParser
import Foundation
import Sluice
import SluiceKafka

/// The options of `run`: where the brokers are, how many workers, which guarantee, where the
/// run starts and ends, and librdkafka settings.
struct RunOptions: ParsableArguments {
    /// Each option's long name and the environment variable it can also come from.
    static let environmentNames: [(option: String, variable: String, isFlag: Bool)] = [
        ("bootstrap", "SLUICE_BOOTSTRAP", false), ("workers", "SLUICE_WORKERS", false),
        ("worker-id", "SLUICE_WORKER_ID", false), ("guarantee", "SLUICE_GUARANTEE", false),
        ("from", "SLUICE_FROM", false), ("until", "SLUICE_UNTIL", false),
        ("checkpoint-interval", "SLUICE_CHECKPOINT_INTERVAL", false), ("status-interval", "SLUICE_STATUS_INTERVAL", false),
        ("log-level", "SLUICE_LOG_LEVEL", false),
        ("log-format", "SLUICE_LOG_FORMAT", false),
        ("verbose", "SLUICE_VERBOSE", true), ("metrics-port", "SLUICE_METRICS_PORT", false),
        ("metrics-address", "SLUICE_METRICS_ADDRESS", false),
    ] + ConfigKey.all.filter { $0.runtimeOption != nil }.map { ($0.option, $0.variable, false) }

    @Option(help: ArgumentHelp("The brokers, a comma-separated host:port list. Env: SLUICE_BOOTSTRAP.", valueName: "host:port"))
    var bootstrap: String

    @Option(help: ArgumentHelp(
        "Members of the job's group to run in this process, each on its own thread with worker id <worker-id>-<i>. Env: SLUICE_WORKERS.",
        valueName: "n"))
    var workers = 1

    @Option(help: ArgumentHelp(
        "This process's stable name (transactional id <job>-<worker-id>-<i>); the host name by default. Env: SLUICE_WORKER_ID.",
        valueName: "id"))
    var workerId: String?

    @Option(help: ArgumentHelp("The delivery guarantee. Env: SLUICE_GUARANTEE.", valueName: "guarantee"))
    var guarantee: GuaranteeArgument = .exactlyOnce

    @Option(help: ArgumentHelp(
        "committed, earliest, latest, an ISO-8601 time, or topic:partition:offset,… Anything but committed is a replay: the group's input offsets move there and the job starts from empty state. Env: SLUICE_FROM.",
        valueName: "position"))
    var from: StartPosition = .committed

    @Option(help: ArgumentHelp(
        "A bounded run: end (each input partition's end offset when assigned) or an ISO-8601 time (before the first record at or after it); then a final checkpoint and exit 0. Without it, runs until SIGINT/SIGTERM. Env: SLUICE_UNTIL.",
        valueName: "end"))
    var until: EndPosition?

    @Option(help: ArgumentHelp("How often a worker checkpoints, like 500ms, 2s or 1m. Env: SLUICE_CHECKPOINT_INTERVAL.", valueName: "duration"))
    var checkpointInterval: DurationArgument = DurationArgument(.seconds(1), text: "1s")

    @Option(help: ArgumentHelp("How often each worker logs a status line (records/s in and out, last checkpoint), like 10s or 1m. Env: SLUICE_STATUS_INTERVAL.", valueName: "duration"))
    var statusInterval: DurationArgument = DurationArgument(.seconds(10), text: "10s")

    @OptionGroup var kafka: KafkaPropertyOptions

    @Option(help: ArgumentHelp(
        "The lowest level of log lines written to standard error; notice shows each worker's status line. Env: SLUICE_LOG_LEVEL.",
        valueName: "level"))
    var logLevel: LogLevelArgument = .notice

    @Option(help: ArgumentHelp(
        "text, or json: one JSON object per log line (timestamp, level, label, message, each metadata key a field), for log shippers. Env: SLUICE_LOG_FORMAT.",
        valueName: "format"))
    var logFormat: LogFormatArgument = .text

    @Flag(help: "Show librdkafka's own log lines too. Env: SLUICE_VERBOSE=1.")
    var verbose = false

    @Option(help: ArgumentHelp(
        "Serve the workers' metrics as Prometheus text at http://<metrics-address>:<port>/metrics; 0 picks a free port. Env: SLUICE_METRICS_PORT.",
        valueName: "port"))
    var metricsPort: Int?

    @Option(help: ArgumentHelp("The IPv4 address the metrics endpoint listens on. Env: SLUICE_METRICS_ADDRESS.", valueName: "address"))
    var metricsAddress = "127.0.0.1"

    @OptionGroup(title: "Kafka client options")
    var client: ClientOptions

    func validate() throws {
        guard workers >= 1, workers <= 256 else { throw ValidationError("--workers takes 1 to 256, got \(workers)") }
        if let workerId, workerId.isEmpty { throw ValidationError("--worker-id must not be empty") }
        if let metricsPort, !(0...65_535).contains(metricsPort) {
            throw ValidationError("--metrics-port takes 0 to 65535, got \(metricsPort)")
        }
        var address = in_addr()
        guard inet_pton(AF_INET, metricsAddress, &address) == 1 else {
            throw ValidationError("--metrics-address takes an IPv4 address, got '\(metricsAddress)'")
        }
        let settings = try kafkaSettings()
        do {
            try KafkaRuntime.validate(
                guarantee: guarantee.guarantee, consumer: settings.consumer, producer: settings.producer,
                properties: settings.properties)
        } catch let error as KafkaOptionsError {
            throw ValidationError(Self.describe(error))
        }
    }

    /// The `--config` file, if one was given.
    func configFile() throws -> ConfigFile {
        try kafka.configFile()
    }

    /// The librdkafka properties of every client: the `--config` file's `kafka.*`, then
    /// `--properties-file`'s, then each `--property` over them.
    func kafkaProperties() throws -> [String: String] {
        try kafka.kafkaProperties(file: configFile())
    }

    /// What each worker's ``KafkaRuntime`` is made with: the typed client options, each
    /// client's own `consumer.kafka.*`/`producer.kafka.*` properties from `--config`, and the
    /// properties of every client (``kafkaProperties()``).
    func kafkaSettings() throws -> (consumer: ConsumerOptions, producer: ProducerOptions, properties: [String: String]) {
        let file = try configFile()
        return (client.consumer(properties: file.consumerProperties), client.producer(properties: file.producerProperties),
                try kafka.kafkaProperties(file: file))
    }

    /// `error` in the command's terms: options and config keys rather than Swift fields.
    static func describe(_ error: KafkaOptionsError) -> String {
        func names(_ runtimeOption: String) -> String {
            guard let key = ConfigKey.all.first(where: { $0.runtimeOption == runtimeOption }) else { return runtimeOption }
            return "--\(key.option) (\(key.key) in --config, \(key.variable))"
        }
        func source(_ propertiesName: String) -> String {
            switch propertiesName {
            case "consumer.properties": "consumer.kafka.* in --config"
            case "producer.properties": "producer.kafka.* in --config"
            default: "--property, --properties-file or kafka.* in --config"
            }
        }
        switch error {
        case let .conflict(option, property, propertiesName):
            return "\(names(option)) and the librdkafka property \(property) (from \(source(propertiesName))) both set \(property): set only one of them"
        case let .reserved(property, propertiesName, reason):
            return "the librdkafka property \(property) (from \(source(propertiesName))) cannot be set: \(reason)"
        case let .unsupported(option, value, reason):
            return "\(names(option)) = \(value) is not supported: \(reason)"
        }
    }

    /// The worker ids of this process's workers.
    var workerIDs: [String] {
        let base = workerId ?? ProcessInfo.processInfo.hostName
        return (0..<workers).map { "\(base)-\($0)" }
    }
}
