/// A Kafka-style record header: a name and opaque bytes.
public struct RecordHeader: Hashable, Sendable, Codable {
    /// The header's name.
    public var key: String
    /// The header's value, as raw bytes.
    public var value: [UInt8]

    /// A header with a raw byte value.
    public init(key: String, value: [UInt8]) {
        self.key = key
        self.value = value
    }

    /// A header whose value is the UTF-8 bytes of `value`.
    public init(key: String, string value: String) {
        self.init(key: key, value: Array(value.utf8))
    }
}
