import CRdKafka
import Logging

/// librdkafka's embedded mock Kafka cluster: N brokers on loopback ports inside this process.
///
/// Good for fast tests and the demo. It lacks CreateTopics (use ``createTopic(_:partitions:replicationFactor:)``
/// or auto-creation), and, in Debian's librdkafka 2.0.2, transaction control batches and
/// read_committed filtering. Faults can be injected per broker and per request type.
/// The mock API is thread-safe (it posts operations to the cluster's own thread), hence
/// `@unchecked Sendable`.
public final class MockCluster: @unchecked Sendable {
    private let client: RDKafkaClient
    private let cluster: OpaquePointer

    /// Starts a cluster of `brokers` brokers.
    public init(brokers: Int = 1, logger: Logger = Logger(label: "rdkafka.mock")) throws {
        // The handle only hosts the cluster; it never connects, so its "no bootstrap.servers"
        // notice is noise.
        client = try RDKafkaClient(kind: .producer, properties: [("log_level", "4")], logger: logger)
        guard let cluster = rd_kafka_mock_cluster_new(client.handle, Int32(brokers)) else {
            throw KafkaError.client("cannot start a mock cluster of \(brokers) brokers")
        }
        self.cluster = cluster
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// The `bootstrap.servers` string of the cluster.
    public var bootstrapServers: String { String(cString: rd_kafka_mock_cluster_bootstraps(cluster)) }

    /// Creates a topic with `partitions` partitions.
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        try KafkaError.check(
            rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor), "mock: create topic \(name)")
    }

    /// Stops broker `id` (from 1) accepting connections and closes its open ones.
    public func setBrokerDown(_ id: Int32) throws {
        try KafkaError.check(rd_kafka_mock_broker_set_down(cluster, id), "mock: broker \(id) down")
    }

    /// Lets broker `id` accept connections again.
    public func setBrokerUp(_ id: Int32) throws {
        try KafkaError.check(rd_kafka_mock_broker_set_up(cluster, id), "mock: broker \(id) up")
    }

    /// Delays every response of broker `id` by `rtt`.
    public func setRoundTripTime(broker id: Int32, _ rtt: Duration) throws {
        try KafkaError.check(rd_kafka_mock_broker_set_rtt(cluster, id, rtt.timeoutMilliseconds), "mock: broker \(id) rtt")
    }

    /// Makes broker `id` the leader of a partition.
    public func setPartitionLeader(topic: String, partition: Int32, broker id: Int32) throws {
        try KafkaError.check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, id), "mock: leader of \(topic)[\(partition)]")
    }

    /// Makes broker `id` the coordinator of a group (`"group"`) or transactional id (`"transaction"`).
    public func setCoordinator(keyType: String, key: String, broker id: Int32) throws {
        try KafkaError.check(rd_kafka_mock_coordinator_set(cluster, keyType, key, id), "mock: coordinator of \(keyType) \(key)")
    }

    /// The next `errors.count` requests of type `api` (on any broker) fail with these errors, in order.
    public func pushRequestErrors(_ api: KafkaApiKey, _ errors: [KafkaErrorCode]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        codes.withUnsafeBufferPointer { rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, $0.count, $0.baseAddress) }
    }

    /// Forgets errors pushed for `api` and not yet returned.
    public func clearRequestErrors(_ api: KafkaApiKey) {
        rd_kafka_mock_clear_request_errors(cluster, api.rawValue)
    }
}
