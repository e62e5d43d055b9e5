/// The outcome of one produced record, reported from ``KafkaProducer/poll(timeout:)`` or
/// ``KafkaProducer/flush(timeout:)``.
public struct DeliveryReport: Sendable {
    /// The topic the record was sent to.
    public var topic: String
    /// The partition it was written to (or targeted, on failure).
    public var partition: Int32
    /// Its offset, when written and known.
    public var offset: Int64
    /// The token passed with ``KafkaProducer/send(topic:partition:key:value:headers:timestamp:token:)``.
    public var token: UInt
    /// Why the record was not written, or `nil` when it was.
    public var error: KafkaError?
}
