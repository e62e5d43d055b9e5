import CRdKafka

extension KafkaError {
    /// Whether librdkafka refused to enqueue a record for a reason in the record itself, so the
    /// same record would be refused again however often it is sent: larger than the producer
    /// may send (`MSG_SIZE_TOO_LARGE`), a partition its topic does not have
    /// (`_UNKNOWN_PARTITION`), or a field librdkafka cannot take (`_INVALID_ARG`).
    ///
    /// Meaningful for the errors ``KafkaProducer``'s `send` and `sendBatch` throw; other calls
    /// report these codes for other reasons.
    public var refusesRecord: Bool {
        switch code {
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE.rawValue, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION.rawValue,
             RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue:
            true
        default:
            false
        }
    }
}
