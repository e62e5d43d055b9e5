extension KafkaConsumer {
    /// The consumer's fatal error, if librdkafka raised one (a static member fenced by a newer
    /// one with the same `group.instance.id`): the consumer is unusable from then on, and its
    /// polls fail with `_FATAL` rather than with the cause.
    public var fatalError: KafkaError? { client.fatalError }
}
