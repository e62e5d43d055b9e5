import CRdKafka

/// Kafka protocol error codes used when injecting faults into a ``MockCluster``.
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable {
    /// librdkafka's `rd_kafka_resp_err_t` value.
    public var rawValue: Int32
    /// Creates a code from its number.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// NOT_LEADER_OR_FOLLOWER (6): retriable.
    public static let notLeaderForPartition = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue)
    /// REQUEST_TIMED_OUT (7): retriable.
    public static let requestTimedOut = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue)
    /// NOT_ENOUGH_REPLICAS (19): retriable.
    public static let notEnoughReplicas = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue)
    /// COORDINATOR_NOT_AVAILABLE (15): retriable.
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE.rawValue)
    /// NOT_COORDINATOR (16): retriable.
    public static let notCoordinator = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_NOT_COORDINATOR.rawValue)
    /// CONCURRENT_TRANSACTIONS (51): retriable.
    public static let concurrentTransactions = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS.rawValue)
    /// INVALID_TXN_STATE (48).
    public static let invalidTransactionState = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_INVALID_TXN_STATE.rawValue)
    /// TOPIC_AUTHORIZATION_FAILED (29).
    public static let topicAuthorizationFailed = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED.rawValue)
    /// PRODUCER_FENCED (90): fatal to a transactional producer.
    public static let producerFenced = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_PRODUCER_FENCED.rawValue)
    /// INVALID_PRODUCER_EPOCH (47): fatal to a transactional producer.
    public static let invalidProducerEpoch = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH.rawValue)
    /// FENCED_INSTANCE_ID (82): a static member replaced by a newer one with its
    /// `group.instance.id`; fatal to the consumer.
    public static let fencedInstanceID = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID.rawValue)
    /// OUT_OF_ORDER_SEQUENCE_NUMBER (45).
    public static let outOfOrderSequenceNumber = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER.rawValue)
    /// MSG_SIZE_TOO_LARGE (10): not retriable; aborts a transaction.
    public static let messageSizeTooLarge = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE.rawValue)
}
