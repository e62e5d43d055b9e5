/// A record as a byte-oriented source (Kafka) delivers it, before deserialization.
///
/// Sources over external systems use this as their ``Source/Element``; the job then turns it
/// into a typed value with a ``Deserializer`` through ``StreamEnvironment/fromSource(_:deserializer:watermarks:)``.
/// The dead-letter policy sends back exactly `key`, `value` and `headers`.
public struct SourceRecord: Sendable, Hashable {
    /// The topic the record was read from.
    public var topic: String
    /// The partition of ``topic`` the record was read from.
    public var partition: Int32
    /// The record's own offset in its partition; the position committed once it is handled is one
    /// more.
    public var offset: Int64
    /// Milliseconds since the Unix epoch; event time unless the job gives a timestamp assigner.
    public var timestamp: Int64
    /// The key bytes, or `nil` for a record without key.
    public var key: [UInt8]?
    /// The payload bytes, which the job's deserializer decodes, or `nil` for a null value (a
    /// tombstone), which is not the same as an empty one.
    public var value: [UInt8]?
    /// The record's headers, in the order they were written.
    public var headers: [RecordHeader]

    /// A record as a source read it.
    public init(
        topic: String, partition: Int32, offset: Int64, timestamp: Int64,
        key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// The split this record came from.
    public var split: Split { Split(topic: topic, partition: partition) }
}
