import Foundation

/// Any `Codable` type as JSON, through Foundation's encoder and decoder.
///
/// Of an Optional type (`JSONCodec<Order?>`), a null record value (a tombstone) decodes as
/// `nil` and a sink writes `nil` as a tombstone; of any other type a tombstone is a bad record.
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
