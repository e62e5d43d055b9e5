import CRdKafka

extension KafkaError {
    /// Whether this error says a newer instance with the same identity took over: a
    /// transactional producer fenced by one that initialized the same `transactional.id`
    /// (`_FENCED`, `PRODUCER_FENCED`, and `INVALID_PRODUCER_EPOCH`, which librdkafka itself
    /// reports as fencing), or a static group member replaced by one that joined with the same
    /// `group.instance.id` (`FENCED_INSTANCE_ID`).
    ///
    /// Some brokers report a fenced producer as an abortable error rather than a fatal one
    /// (Tansu 0.6: `PRODUCER_FENCED` on produce, after which every abort times out), so a
    /// caller that means to stop on fencing should ask this rather than ``isFatal``.
    public var isFenced: Bool {
        Self.fencingCodes.contains(code)
    }

    private static let fencingCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR__FENCED.rawValue, RD_KAFKA_RESP_ERR_PRODUCER_FENCED.rawValue,
        RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH.rawValue, RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID.rawValue,
    ]
}
