/// Makes any codec's values nullable: `nil` is a null record value (a tombstone), anything else
/// goes through the wrapped codec. `OptionalCodec(UTF8StringCodec())` reads a tombstone as
/// `nil` and an empty value as `""`.
public struct OptionalCodec<Wrapped: Codec>: Codec {
    /// The wrapped codec's values, or `nil` for null.
    public typealias Value = Wrapped.Value?

    /// The codec for the non-null values.
    public let wrapped: Wrapped

    /// Wraps `wrapped`.
    public init(_ wrapped: Wrapped) {
        self.wrapped = wrapped
    }

    /// Encodes a present value with the wrapped codec. `nil` has no bytes: it is written as a
    /// null value through ``Serializer/serialize(nullable:)``, and throws
    /// ``SerializationError/nullValue(expected:)`` here.
    public func serialize(_ value: Wrapped.Value?) throws -> [UInt8] {
        guard let value else { throw SerializationError.nullValue(expected: "bytes of \(Wrapped.Value.self)") }
        return try wrapped.serialize(value)
    }

    /// `nil` for `nil`, otherwise the wrapped codec's bytes.
    public func serialize(nullable value: Wrapped.Value?) throws -> [UInt8]? {
        try value.map { try wrapped.serialize($0) }
    }

    /// Decodes bytes (also empty ones) with the wrapped codec.
    public func deserialize(_ bytes: [UInt8]) throws -> Wrapped.Value? {
        try wrapped.deserialize(bytes)
    }

    /// `nil`.
    public func deserializeNull() -> Wrapped.Value? { nil }
}
