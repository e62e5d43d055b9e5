/// Kafka protocol request types, for injecting errors into a ``MockCluster``.
public struct KafkaApiKey: RawRepresentable, Hashable, Sendable {
    /// The protocol's `ApiKey` number.
    public var rawValue: Int16
    /// Creates a key from its number.
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// Produce (0).
    public static let produce = KafkaApiKey(rawValue: 0)
    /// Fetch (1).
    public static let fetch = KafkaApiKey(rawValue: 1)
    /// OffsetCommit (8).
    public static let offsetCommit = KafkaApiKey(rawValue: 8)
    /// FindCoordinator (10).
    public static let findCoordinator = KafkaApiKey(rawValue: 10)
    /// JoinGroup (11).
    public static let joinGroup = KafkaApiKey(rawValue: 11)
    /// Heartbeat (12).
    public static let heartbeat = KafkaApiKey(rawValue: 12)
    /// InitProducerId (22).
    public static let initProducerID = KafkaApiKey(rawValue: 22)
    /// AddPartitionsToTxn (24).
    public static let addPartitionsToTxn = KafkaApiKey(rawValue: 24)
    /// AddOffsetsToTxn (25).
    public static let addOffsetsToTxn = KafkaApiKey(rawValue: 25)
    /// EndTxn (26).
    public static let endTxn = KafkaApiKey(rawValue: 26)
    /// TxnOffsetCommit (28).
    public static let txnOffsetCommit = KafkaApiKey(rawValue: 28)
}
