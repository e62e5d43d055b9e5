import ArgumentParser
import RdKafka

/// Where librdkafka properties come from, for a job's `run` and `plan` and for the `sluice`
/// operator commands alike: a `--config` file's `kafka.*` lines, then a `--properties-file`,
/// then each `--property`; `SLUICE_CONFIG` and `SLUICE_PROPERTIES_FILE` name the files too.
///
/// Secrets belong in the files (or in files the variables name), not on the command line,
/// where `ps` and shell history keep them. No value of a sensitive property is ever printed
/// (``RdKafka/SensitiveProperty``), and a property librdkafka refuses is a usage error
/// naming only its key.
public struct KafkaPropertyOptions: ParsableArguments {
    /// The options that can also come from the environment.
    static let environmentNames = [
        EnvironmentDefaults.Name(option: "properties-file", variable: "SLUICE_PROPERTIES_FILE"),
        EnvironmentDefaults.Name(option: "config", variable: "SLUICE_CONFIG"),
    ]

    @Option(help: ArgumentHelp(
        "A file of librdkafka key=value lines (# comments) for every client: SASL, SSL, timeouts. Env: SLUICE_PROPERTIES_FILE.",
        valueName: "file"))
    var propertiesFile: String?

    @Option(help: ArgumentHelp(
        "A file of key = value lines: bootstrap, a job's run options (guarantee = exactly-once), consumer.*/producer.* client options (consumer.session-timeout = 6s) and kafka.<librdkafka property> lines; the command line and SLUICE_* variables win over it. Env: SLUICE_CONFIG.",
        valueName: "file"))
    var config: String?

    @Option(
        name: .customLong("property"),
        help: ArgumentHelp("A librdkafka key=value for every client; repeatable, wins over the files.", valueName: "key=value"))
    var properties: [String] = []

    /// No properties.
    public init() {}

    /// Reads the files and the `--property` arguments, so that a missing file or a malformed
    /// line is a usage error; librdkafka checks the properties themselves later
    /// (``checkedProperties()``), and a refused one is reported in one line.
    public func validate() throws {
        _ = try kafkaProperties(file: configFile())
    }

    /// The `--config` file, if one was given.
    func configFile() throws -> ConfigFile {
        try config.map { try ConfigFile.read($0) } ?? ConfigFile()
    }

    /// The librdkafka properties of every client: `file`'s `kafka.*`, then
    /// `--properties-file`'s, then each `--property` over them.
    func kafkaProperties(file: ConfigFile) throws -> [String: String] {
        var properties = file.properties
        if let propertiesFile {
            properties.merge(try KafkaProperties.read(file: propertiesFile)) { _, later in later }
        }
        for argument in self.properties {
            let (key, value) = try KafkaProperties.parse(argument, source: "--property")
            properties[key] = value
        }
        return properties
    }

    /// The librdkafka properties of every client, checked with librdkafka.
    ///
    /// - Throws: `ValidationError` for a file that cannot be read or a malformed line;
    ///   ``RdKafka/KafkaConfigurationError`` for the first property librdkafka refuses.
    public func checkedProperties() throws -> [String: String] {
        let properties = try kafkaProperties(file: configFile())
        try KafkaConfiguration.check(properties)
        return properties
    }

    /// `commandLine` (without the executable) of a `sluice` command that reads a cluster, with
    /// `SLUICE_BOOTSTRAP`, `SLUICE_PROPERTIES_FILE` and `SLUICE_CONFIG` from `environment`
    /// added where the command line does not give `--bootstrap`, `--properties-file` or
    /// `--config`, and the `--config` file's `bootstrap` where neither gives it, as a job's
    /// `run` takes them.
    public static func connectionArguments(_ commandLine: [String], environment: [String: String]) -> [String] {
        let options = Array(commandLine.prefix { $0 != "--" })
        let rest = Array(commandLine.dropFirst(options.count))
        let names = [EnvironmentDefaults.Name(option: "bootstrap", variable: "SLUICE_BOOTSTRAP")] + environmentNames
        var added = EnvironmentDefaults.added(names, notIn: options, environment: environment)
        if !EnvironmentDefaults.gives("bootstrap", in: options + added),
           let config = EnvironmentDefaults.configPath(in: options + added),
           let bootstrap = (try? ConfigFile.read(config, skippingBadLines: true))?.options["bootstrap"] {
            // A bad or missing file adds nothing here: the command reads it again for its
            // properties and reports it.
            added.append("--bootstrap=\(bootstrap)")
        }
        return options + added + rest
    }

    /// Checks each of a job's property sets with librdkafka: every client's, the consumer's
    /// and the producer's.
    ///
    /// - Throws: ``RdKafka/KafkaConfigurationError`` for the first property librdkafka refuses.
    static func check(_ sets: [String: String]...) throws {
        for properties in sets { try KafkaConfiguration.check(properties) }
    }

    /// `properties` as `key = value` lines in name order, each sensitive value redacted, for
    /// a plan or a dump; `prefix` goes before each key.
    static func shown(_ properties: [String: String], prefix: String = "") -> [String] {
        properties.sorted { $0.key < $1.key }.map { "\(prefix)\($0.key) = \(SensitiveProperty.shown($0.value, for: $0.key))" }
    }
}
