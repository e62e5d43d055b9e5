/// Strings as UTF-8 bytes.
///
/// Decoding rejects invalid UTF-8 rather than repairing it, so a corrupt payload reaches the
/// job's ``BadInputPolicy`` instead of flowing on with replacement characters.
public struct UTF8StringCodec: Codec {
    /// Strings.
    public typealias Value = String

    /// The UTF-8 codec.
    public init() {}

    /// The string's UTF-8 bytes; never fails.
    public func serialize(_ value: String) -> [UInt8] { Array(value.utf8) }

    /// Decodes UTF-8; throws ``SerializationError/invalidUTF8(byteCount:)`` for invalid bytes.
    public func deserialize(_ bytes: [UInt8]) throws -> String {
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw SerializationError.invalidUTF8(byteCount: bytes.count)
        }
        return string
    }
}
