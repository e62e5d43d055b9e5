import CRdKafka

extension RDKafkaClient {
    /// The client's fatal error, once librdkafka raised one (`rd_kafka_fatal_error`): the
    /// client is unusable from then on, and later calls fail with `_FATAL`, not with the cause.
    var fatalError: KafkaError? {
        var errstr = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &errstr, errstr.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(
            code: code.rawValue, name: String(cString: rd_kafka_err2name(code)),
            message: String(errorBuffer: errstr), isFatal: true)
    }
}
