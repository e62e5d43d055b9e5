/// ``KafkaProducer/sendBatch(topic:partition:count:bytes:)`` could not enqueue one record of
/// its batch: the records before ``index`` were enqueued, the one at ``index`` and those after
/// it were not.
public struct ProduceBatchError: Error, Sendable, CustomStringConvertible {
    /// The position of the first record not enqueued, counted from the batch's first record.
    public var index: Int
    /// Why librdkafka refused it, naming the topic and partition.
    public var underlying: KafkaError

    /// The record at `index` was refused because of `underlying`.
    public init(index: Int, underlying: KafkaError) {
        self.index = index
        self.underlying = underlying
    }

    /// `record <index> of the batch: <underlying>`.
    public var description: String { "record \(index) of the batch: \(underlying)" }
}
