import RdKafka
import Sluice

/// Settings of a ``KafkaRuntime``'s producer (the one each worker's sinks, repartition
/// writes, dead letters and checkpoints go through): typed fields for what a job tunes most,
/// and ``properties`` for any other librdkafka producer property.
///
/// ```swift
/// let producer = ProducerOptions(linger: .milliseconds(5), compression: .lz4)
/// let kafka = try KafkaRuntime(bootstrapServers: "127.0.0.1:9092", producer: producer)
/// ```
///
/// The producer is always idempotent, so ``acks`` can only be `all`. Setting a typed field
/// and its librdkafka property in ``properties`` (or in the runtime's shared properties) is
/// an error naming both, as is a property the runtime sets itself (`transactional.id`,
/// `enable.idempotence`, `bootstrap.servers`). By default the producer uses
/// `partitioner=murmur2_random`, the Java client's default for keyed records; a
/// `partitioner` in ``properties`` replaces it.
public struct ProducerOptions: Sendable, Equatable {
    /// `transaction.timeout.ms`: how long the broker lets an exactly-once worker's
    /// transaction stay open before aborting it, for a worker that died and never came back.
    public var transactionTimeout: Duration
    /// `linger.ms`: how long the producer waits to fill a batch; librdkafka's default is 5 ms.
    public var linger: Duration?
    /// `acks`; only `all` works with the idempotent producer, and is librdkafka's default.
    public var acks: ProducerConfiguration.Acks?
    /// `compression.type`; none by default.
    public var compression: ProducerConfiguration.Compression?
    /// Any other librdkafka producer property, e.g. `batch.size`.
    public var properties: [String: String]

    /// Creates producer options; every field defaults to the runtime's default.
    public init(
        transactionTimeout: Duration = .seconds(60), linger: Duration? = nil, acks: ProducerConfiguration.Acks? = nil,
        compression: ProducerConfiguration.Compression? = nil, properties: [String: String] = [:]
    ) {
        self.transactionTimeout = transactionTimeout
        self.linger = linger
        self.acks = acks
        self.compression = compression
        self.properties = properties
    }

    /// The typed fields that are set: each field's name and the librdkafka property it sets.
    /// ``transactionTimeout`` always is, but reaches librdkafka only under exactly-once.
    func typedProperties(guarantee: DeliveryGuarantee) -> [(option: String, property: String)] {
        var out: [(String, String)] = []
        if guarantee == .exactlyOnce { out.append(("transactionTimeout", "transaction.timeout.ms")) }
        if linger != nil { out.append(("linger", "linger.ms")) }
        if acks != nil { out.append(("acks", "acks")) }
        if compression != nil { out.append(("compression", "compression.type")) }
        return out
    }

    /// Throws the first conflict, reserved property or unsupported value.
    func validate(shared: [String: String], guarantee: DeliveryGuarantee) throws {
        try KafkaOptionsCheck.check(
            typed: typedProperties(guarantee: guarantee), prefix: "producer", properties: properties, shared: shared,
            reserved: ["transactional.id": "it is <job>-<workerID>, which fences a restarted worker's predecessor",
                       "enable.idempotence": "the worker's producer is always idempotent",
                       "bootstrap.servers": "it is the runtime's bootstrapServers"])
        if let acks, acks != .all {
            throw KafkaOptionsError.unsupported(
                option: "producer.acks", value: acks.rawValue, reason: "the worker's producer is idempotent, which needs acks=all")
        }
        if transactionTimeout < .milliseconds(1) {
            throw KafkaOptionsError.unsupported(
                option: "producer.transactionTimeout", value: "\(transactionTimeout)", reason: "it must be at least 1 ms")
        }
    }

    /// `configuration` with these options applied; passthrough properties are the default
    /// partitioner, then the shared ones, then ``properties``.
    func apply(to configuration: inout ProducerConfiguration, shared: [String: String], guarantee: DeliveryGuarantee) {
        if guarantee == .exactlyOnce { configuration.transactionTimeout = transactionTimeout }
        configuration.linger = linger
        configuration.acks = acks
        configuration.compression = compression
        configuration.client.properties = ["partitioner": "murmur2_random"]
            .merging(shared) { _, shared in shared }
            .merging(properties) { _, own in own }
    }
}
