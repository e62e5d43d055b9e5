import RdKafka

/// Configuration of a ``KafkaSink``.
public struct KafkaSinkOptions: Sendable {
    /// `bootstrap.servers`.
    public var bootstrapServers: String
    /// The topic of records whose ``SinkRecord/topic`` is `nil`.
    public var topic: String?
    /// Any other librdkafka producer property. By default the sink sets
    /// `partitioner=murmur2_random`, the Java client's default partitioner for keyed records,
    /// so Sluice and Java producers place equal keys in equal partitions.
    public var properties: [String: String]

    /// Creates options for writing to `topic` (or to each record's own topic).
    public init(bootstrapServers: String, topic: String? = nil, properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.topic = topic
        self.properties = properties
    }

    var producerConfiguration: ProducerConfiguration {
        var configuration = ProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.idempotence = true
        configuration.client.properties = ["partitioner": "murmur2_random"].merging(properties) { _, user in user }
        return configuration
    }
}
