/// A user-defined codec from two closures, for formats Sluice does not ship.
public struct ClosureCodec<Value>: Codec {
    private let encode: @Sendable (Value) throws -> [UInt8]
    private let decode: @Sendable ([UInt8]) throws -> Value

    /// - Parameters:
    ///   - serialize: encodes a value; may run on several threads at once.
    ///   - deserialize: decodes bytes; may run on several threads at once. A thrown error is a
    ///     bad record.
    public init(
        serialize: @escaping @Sendable (Value) throws -> [UInt8],
        deserialize: @escaping @Sendable ([UInt8]) throws -> Value
    ) {
        self.encode = serialize
        self.decode = deserialize
    }

    /// Calls the `serialize` closure.
    public func serialize(_ value: Value) throws -> [UInt8] { try encode(value) }

    /// Calls the `deserialize` closure.
    public func deserialize(_ bytes: [UInt8]) throws -> Value { try decode(bytes) }
}
