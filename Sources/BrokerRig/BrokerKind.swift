/// The Kafka-protocol brokers that tests can start with ``TestBroker``.
///
/// Each proves different things; see `test-brokers.md` in the design notes for the table.
public enum BrokerKind: String, Sendable, CaseIterable {
    /// librdkafka 2.16's in-process mock cluster (from the confluent-kafka wheel).
    ///
    /// Writes transaction control batches; its share groups read committed records only, which
    /// ``Verifier`` uses. Has no CreateTopics: use ``TestBroker/createTopic(_:partitions:)``.
    /// Supports fault injection through ``TestBroker/command(_:timeout:)``.
    case mock216
    /// Tansu, an independent Kafka-compatible broker, with memory storage.
    ///
    /// Stores offsets sent in a transaction; needs librdkafka 2.12 or newer in clients
    /// (see ``Librdkafka216``).
    case tansu
}
