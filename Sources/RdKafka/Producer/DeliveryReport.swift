/// The outcome of one produced record, reported from ``KafkaProducer/poll(timeout:)`` or
/// ``KafkaProducer/flush(timeout:)``.
///
/// A successful report carries no `String`: its topic is the integer ``topicID``, which
/// ``KafkaProducer/topicName(id:)`` resolves when a name is needed. A failed report also
/// carries the topic's name in ``failedTopic``, for the error message.
public struct DeliveryReport: Sendable {
    /// The producer's id of the topic the record was sent to (see ``KafkaProducer/topicName(id:)``),
    /// or -1 when the topic was not opened through that producer.
    public var topicID: Int
    /// The partition it was written to (or targeted, on failure).
    public var partition: Int32
    /// Its offset, when written and known.
    public var offset: Int64
    /// The token passed with ``KafkaProducer/send(topic:partition:key:value:headers:timestamp:token:)-(_,_,UnsafeRawBufferPointer?,_,_,_,_)``;
    /// 0 for records sent without one, such as those of ``KafkaProducer/sendBatch(topic:partition:count:bytes:)``.
    public var token: UInt
    /// Why the record was not written, or `nil` when it was.
    public var error: KafkaError?
    /// The topic's name, on a failed report only; `nil` when the record was written.
    public var failedTopic: String?

    /// Creates a report.
    public init(topicID: Int, partition: Int32, offset: Int64, token: UInt, error: KafkaError? = nil, failedTopic: String? = nil) {
        self.topicID = topicID
        self.partition = partition
        self.offset = offset
        self.token = token
        self.error = error
        self.failedTopic = failedTopic
    }
}
