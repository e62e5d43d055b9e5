/// A record header. Kafka allows several headers with one key and a null value.
public struct KafkaHeader: Hashable, Sendable {
    /// The header key.
    public var key: String
    /// The header value; `nil` is Kafka's null.
    public var value: [UInt8]?

    /// Creates a header.
    public init(_ key: String, _ value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// Creates a header with a UTF-8 string value.
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = Array(value.utf8)
    }
}
