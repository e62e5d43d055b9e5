import ArgumentParser

/// A typed key of a `--config` file: the `run` option it sets, the environment variable that
/// sets the same option, and how its value is checked.
struct ConfigKey: Sendable {
    /// The key in the file, e.g. `consumer.session-timeout`.
    let key: String
    /// The option's long name without `--`, e.g. `consumer-session-timeout`.
    let option: String
    /// A Boolean flag: `true`/`false` (also `yes`/`no`, `1`/`0`) in the file.
    let isFlag: Bool
    /// The ``SluiceKafka/KafkaRuntime`` option it sets, as ``SluiceKafka/KafkaOptionsError``
    /// names it (`consumer.sessionTimeout`), for keys that set one.
    let runtimeOption: String?
    /// What a value looks like, for error messages.
    let expected: String
    /// Whether `value` is one the option takes.
    let accepts: @Sendable (String) -> Bool

    /// `SLUICE_` and the option in upper snake case: `SLUICE_CONSUMER_SESSION_TIMEOUT`.
    var variable: String { "SLUICE_" + option.uppercased().replacingOccurrences(of: "-", with: "_") }

    /// The value of a flag key: `true` or `false`, or `nil` for anything else.
    static func flagValue(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "true", "yes", "1": true
        case "false", "no", "0": false
        default: nil
        }
    }

    private init<Value: ExpressibleByArgument>(
        _ key: String, option: String? = nil, _ type: Value.Type, runtimeOption: String? = nil, expected: String,
        where check: @escaping @Sendable (Value) -> Bool = { _ in true }
    ) {
        self.key = key
        self.option = option ?? key.replacingOccurrences(of: ".", with: "-")
        self.isFlag = false
        self.runtimeOption = runtimeOption
        self.expected = expected
        self.accepts = { Value(argument: $0).map(check) ?? false }
    }

    private init(flag key: String) {
        self.key = key
        self.option = key
        self.isFlag = true
        self.runtimeOption = nil
        self.expected = "true or false"
        self.accepts = { ConfigKey.flagValue($0) != nil }
    }

    private static let duration = "a duration like 500ms, 6s or 1m"

    /// Every key a `--config` file may hold besides `kafka.*`, `consumer.kafka.*` and
    /// `producer.kafka.*` passthrough properties.
    static let all: [ConfigKey] = [
        ConfigKey("bootstrap", String.self, expected: "a host:port list", where: { !$0.isEmpty }),
        ConfigKey("workers", Int.self, expected: "a number from 1 to 256", where: { (1...256).contains($0) }),
        ConfigKey("worker-id", String.self, expected: "a non-empty name", where: { !$0.isEmpty }),
        ConfigKey("guarantee", GuaranteeArgument.self, expected: "exactly-once, at-least-once or none"),
        ConfigKey("from", StartPosition.self, expected: "committed, earliest, latest, an ISO-8601 time or topic:partition:offset,…"),
        ConfigKey("until", EndPosition.self, expected: "end or an ISO-8601 time"),
        ConfigKey("checkpoint-interval", DurationArgument.self, expected: duration),
        ConfigKey("status-interval", DurationArgument.self, expected: duration),
        ConfigKey("properties-file", String.self, expected: "a file name", where: { !$0.isEmpty }),
        ConfigKey("log-level", LogLevelArgument.self, expected: LogLevelArgument.allValueStrings.joined(separator: ", ")),
        ConfigKey("log-format", LogFormatArgument.self, expected: "text or json"),
        ConfigKey(flag: "verbose"),
        ConfigKey("metrics-port", Int.self, expected: "a port from 0 to 65535", where: { (0...65_535).contains($0) }),
        ConfigKey("metrics-address", String.self, expected: "an IPv4 address", where: { !$0.isEmpty }),
        ConfigKey("consumer.session-timeout", DurationArgument.self, runtimeOption: "consumer.sessionTimeout", expected: duration),
        ConfigKey("consumer.heartbeat-interval", DurationArgument.self, runtimeOption: "consumer.heartbeatInterval", expected: duration),
        ConfigKey("consumer.max-poll-interval", DurationArgument.self, runtimeOption: "consumer.maxPollInterval", expected: duration),
        ConfigKey("consumer.fetch-wait", DurationArgument.self, runtimeOption: "consumer.fetchWait", expected: duration),
        ConfigKey("consumer.fetch-queue-backoff", DurationArgument.self, runtimeOption: "consumer.fetchQueueBackoff", expected: duration),
        ConfigKey("consumer.assignment-strategy", AssignmentStrategyArgument.self, runtimeOption: "consumer.assignmentStrategy",
                  expected: "cooperative-sticky, range or roundrobin"),
        ConfigKey("consumer.isolation-level", IsolationLevelArgument.self, runtimeOption: "consumer.isolationLevel",
                  expected: "read-committed or read-uncommitted"),
        ConfigKey("consumer.membership", MembershipArgument.self, runtimeOption: "consumer.membership", expected: "static or dynamic"),
        ConfigKey("producer.transaction-timeout", DurationArgument.self, runtimeOption: "producer.transactionTimeout", expected: duration),
        ConfigKey("producer.linger", DurationArgument.self, runtimeOption: "producer.linger", expected: duration),
        ConfigKey("producer.acks", AcksArgument.self, runtimeOption: "producer.acks", expected: "all, 1 or 0"),
        ConfigKey("producer.compression", CompressionArgument.self, runtimeOption: "producer.compression",
                  expected: CompressionArgument.allValueStrings.joined(separator: ", ")),
    ]

    /// The key named `key`.
    static func named(_ key: String) -> ConfigKey? {
        all.first { $0.key == key }
    }
}
