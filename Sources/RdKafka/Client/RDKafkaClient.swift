import CRdKafka
import Logging

/// Owns one `rd_kafka_t` handle and the context its callbacks use.
///
/// librdkafka handles are thread-safe, so this class is `Sendable`; its only mutable state
/// lives inside librdkafka.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind { case producer, consumer }

    let handle: OpaquePointer
    let context: ClientContext
    private let retainedContext: Unmanaged<ClientContext>

    /// Builds the configuration and the handle; rejects any invalid property with
    /// librdkafka's own message, never its value (``KafkaConfigurationError``).
    init(
        kind: Kind, properties: [(String, String)], logger: Logger,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws {
        let context = ClientContext(logger: logger, secrets: SensitiveProperty.secrets(in: properties))
        let conf = try Self.makeConfiguration(properties)
        let retained = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        rd_kafka_conf_set_log_cb(conf, rdkafkaLogCallback)
        configure(conf)

        var errstr = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        // rd_kafka_new takes ownership of conf on success only.
        guard let handle = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            retained.release()
            throw KafkaConfigurationError.unusable(
                reason: SensitiveProperty.scrub(String(errorBuffer: errstr), of: context.secrets))
        }
        self.handle = handle
        self.context = context
        self.retainedContext = retained
    }

    deinit {
        context.closing.store(true, ordering: .relaxed)
        rd_kafka_destroy(handle)
        retainedContext.release()
    }

    /// librdkafka's version string of the library actually loaded, e.g. `2.0.2`.
    static var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }

    /// Asks a scratch configuration whether librdkafka knows property `name`.
    static func isKnownProperty(_ name: String) -> Bool {
        guard let conf = rd_kafka_conf_new() else { return false }
        defer { rd_kafka_conf_destroy(conf) }
        var size = 0
        return rd_kafka_conf_get(conf, name, nil, &size) != RD_KAFKA_CONF_UNKNOWN
    }

    /// A configuration holding `properties`; the first one librdkafka refuses is a
    /// ``KafkaConfigurationError/rejected(property:reason:)`` naming its key, with every value
    /// given scrubbed from librdkafka's reason, since it may quote the value.
    static func makeConfiguration(_ properties: [(String, String)]) throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            let result = rd_kafka_conf_set(conf, name, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let values = SensitiveProperty.secrets(in: properties) + [value]
                throw KafkaConfigurationError.rejected(
                    property: name, reason: SensitiveProperty.scrub(String(errorBuffer: errstr), of: values))
            }
        }
        return conf
    }
}

/// Bridges librdkafka's log lines (syslog levels) into swift-log.
private func rdkafkaLogCallback(
    _ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ message: UnsafePointer<CChar>?
) {
    guard let context = ClientContext.from(rk) else { return }
    var swiftLevel: Logger.Level
    switch level {
    case ...2: swiftLevel = .critical
    case 3: swiftLevel = .error
    case 4: swiftLevel = .warning
    case 5: swiftLevel = .notice
    case 6: swiftLevel = .info
    default: swiftLevel = .debug
    }
    let text = SensitiveProperty.scrub(message.map { String(cString: $0) } ?? "", of: context.secrets)
    if swiftLevel > .info, context.closing.load(ordering: .relaxed), ExpectedDisconnect.matches(text) {
        swiftLevel = .debug
    }
    guard context.logger.logLevel <= swiftLevel else { return }
    let facilityText = facility.map { String(cString: $0) } ?? ""
    let name = rk.map { String(cString: rd_kafka_name($0)) } ?? ""
    context.logger.log(
        level: swiftLevel, "\(text)",
        metadata: ["rdkafka.facility": "\(facilityText)", "rdkafka.client": "\(name)"])
}
