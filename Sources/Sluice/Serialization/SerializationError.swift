/// Why bytes could not become a value, or the reverse.
public enum SerializationError: Error, Equatable, CustomStringConvertible {
    /// The payload is not valid UTF-8.
    case invalidUTF8(byteCount: Int)
    /// A snapshot or length-prefixed encoding ended before the data it announced.
    case truncated(expected: Int, available: Int)
    /// The record value is null (a tombstone) but the deserializer's type has no null; read
    /// such topics with an Optional type (`JSONCodec<Order?>`, ``OptionalCodec``).
    case nullValue(expected: String)
    /// The record key is null but the key deserializer's type has no null; read such topics
    /// with an Optional key type (``OptionalCodec``).
    case nullKey(expected: String)

    /// A one-line message saying what was wrong with the bytes.
    public var description: String {
        switch self {
        case .invalidUTF8(let count): "payload of \(count) bytes is not valid UTF-8"
        case .truncated(let expected, let available): "truncated data: needed \(expected) bytes, had \(available)"
        case .nullValue(let expected): "null value (a tombstone) where \(expected) was expected"
        case .nullKey(let expected): "null key where \(expected) was expected"
        }
    }
}
