import Foundation

/// Any `Codable` type as JSON, through Foundation's encoder and decoder.
public struct JSONCodec<Value: Codable>: Codec {
    /// A codec with Foundation's default JSON settings.
    public init() {}

    /// Encodes `value` as JSON with a new `JSONEncoder`.
    public func serialize(_ value: Value) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }

    /// Decodes JSON with a new `JSONDecoder`; throws its `DecodingError` for bytes that are not a
    /// `Value`.
    public func deserialize(_ bytes: [UInt8]) throws -> Value {
        try JSONDecoder().decode(Value.self, from: Data(bytes))
    }
}
