/// Configuration of a ``KafkaProducer``.
///
/// Typed fields are applied first, then ``KafkaConfiguration/properties`` of ``client``.
public struct ProducerConfiguration: Sendable {
    /// Brokers, identity and passthrough properties.
    public var client: KafkaConfiguration
    /// `enable.idempotence`: exactly one copy of each record per partition, in order.
    public var idempotence: Bool
    /// `transactional.id`: makes the producer transactional (implies idempotence).
    public var transactionalID: String?
    /// `transaction.timeout.ms`.
    public var transactionTimeout: Duration?
    /// `acks`.
    public var acks: Acks?
    /// `linger.ms`: how long to wait to fill a batch.
    public var linger: Duration?
    /// `compression.type`.
    public var compression: Compression?

    /// The `acks` values.
    public enum Acks: String, Sendable {
        case none = "0", leader = "1", all = "all"
    }

    /// The `compression.type` values.
    public enum Compression: String, Sendable, CaseIterable {
        case none, gzip, snappy, lz4, zstd
    }

    /// Creates a producer configuration.
    public init(
        client: KafkaConfiguration, idempotence: Bool = false, transactionalID: String? = nil,
        transactionTimeout: Duration? = nil, acks: Acks? = nil, linger: Duration? = nil,
        compression: Compression? = nil
    ) {
        self.client = client
        self.idempotence = idempotence
        self.transactionalID = transactionalID
        self.transactionTimeout = transactionTimeout
        self.acks = acks
        self.linger = linger
        self.compression = compression
    }

    /// Creates a producer configuration for the given brokers.
    public init(bootstrapServers: String) {
        self.init(client: KafkaConfiguration(bootstrapServers: bootstrapServers))
    }

    var librdkafkaProperties: [(String, String)] {
        var out: [(String, String)] = []
        if idempotence { out.append(("enable.idempotence", "true")) }
        if let transactionalID { out.append(("transactional.id", transactionalID)) }
        if let transactionTimeout { out.append(("transaction.timeout.ms", String(transactionTimeout.milliseconds))) }
        if let acks { out.append(("acks", acks.rawValue)) }
        if let linger { out.append(("linger.ms", String(linger.milliseconds))) }
        if let compression { out.append(("compression.type", compression.rawValue)) }
        // Typed fields first, so a passthrough property can override them.
        return out + client.librdkafkaProperties
    }
}
