/// Strings as UTF-8 bytes.
///
/// Decoding rejects invalid UTF-8 rather than repairing it, so a corrupt payload reaches the
/// job's ``BadInputPolicy`` instead of flowing on with replacement characters.
public struct UTF8StringCodec: Codec {
    public typealias Value = String

    public init() {}

    public func serialize(_ value: String) -> [UInt8] { Array(value.utf8) }

    public func deserialize(_ bytes: [UInt8]) throws -> String {
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw SerializationError.invalidUTF8(byteCount: bytes.count)
        }
        return string
    }
}
