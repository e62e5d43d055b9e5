import Foundation

/// Any `Codable` type as JSON, through Foundation's encoder and decoder.
public struct JSONCodec<Value: Codable>: Codec {
    public init() {}

    public func serialize(_ value: Value) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }

    public func deserialize(_ bytes: [UInt8]) throws -> Value {
        try JSONDecoder().decode(Value.self, from: Data(bytes))
    }
}
