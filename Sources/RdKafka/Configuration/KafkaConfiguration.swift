import CRdKafka

/// Settings shared by every client: where the brokers are, who the client is, and any other
/// librdkafka property.
///
/// Typed fields cover what most programs set. ``properties`` passes any other librdkafka
/// property through unchanged (SASL, SSL, tuning) and wins over the typed fields; see
/// librdkafka's `CONFIGURATION.md`. An invalid property or value is rejected when the client
/// is built, with a ``KafkaConfigurationError`` naming the property and never its value.
public struct KafkaConfiguration: Sendable {
    /// `bootstrap.servers`: comma-separated `host:port` list.
    public var bootstrapServers: String
    /// `client.id`.
    public var clientID: String?
    /// `debug`: librdkafka debug contexts, e.g. `"broker,protocol"`.
    public var debug: String?
    /// `security.protocol`.
    public var securityProtocol: SecurityProtocol?
    /// Any librdkafka property, applied after the typed fields.
    public var properties: [String: String]

    /// The `security.protocol` values.
    public enum SecurityProtocol: String, Sendable {
        case plaintext, ssl
        case saslPlaintext = "sasl_plaintext"
        case saslSSL = "sasl_ssl"
    }

    /// Creates a configuration for the given brokers.
    public init(bootstrapServers: String, clientID: String? = nil, properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.properties = properties
    }

    /// Whether the librdkafka loaded in this process knows the configuration property `name`.
    ///
    /// Properties come and go between librdkafka versions (`fetch.queue.backoff.ms` exists from
    /// 2.1.0; Debian's build is 2.0.2), so a default that only some versions know is set only
    /// where it is known.
    public static func isKnownProperty(_ name: String) -> Bool {
        RDKafkaClient.isKnownProperty(name)
    }

    /// Checks each of `properties` as a client would set it, without building one: throws
    /// ``KafkaConfigurationError/rejected(property:reason:)`` for the first property (in name
    /// order) librdkafka does not know or whose value it does not take.
    public static func check(_ properties: [String: String]) throws {
        rd_kafka_conf_destroy(try RDKafkaClient.makeConfiguration(properties.sorted { $0.key < $1.key }))
    }

    /// The librdkafka properties in the order they are applied.
    var librdkafkaProperties: [(String, String)] {
        var out: [(String, String)] = [("bootstrap.servers", bootstrapServers)]
        if let clientID { out.append(("client.id", clientID)) }
        if let debug { out.append(("debug", debug)) }
        if let securityProtocol { out.append(("security.protocol", securityProtocol.rawValue)) }
        out.append(contentsOf: properties.sorted { $0.key < $1.key })
        return out
    }
}
