/// Turns the bytes a ``Source`` delivered into a typed value.
///
/// Deserializers are shared by every task of a job, so they must be safe to call from
/// several threads at once; most are stateless structs.
///
/// A record's value may be null (a tombstone), which is not the same as empty: the engine
/// decodes record values with ``deserialize(nullable:)``, which hands a null to
/// ``deserializeNull()``. By default a deserializer of an Optional type (`JSONCodec<Order?>`,
/// ``OptionalCodec``) makes it `nil`, and any other fails the record with
/// ``SerializationError/nullValue(expected:)``, under the job's ``BadInputPolicy``.
public protocol Deserializer<Value>: Sendable {
    /// The type this deserializer decodes.
    associatedtype Value

    /// Decodes `bytes`. A thrown error is a bad record and follows the job's ``BadInputPolicy``,
    /// which names the record's topic, partition and offset.
    func deserialize(_ bytes: [UInt8]) throws -> Value

    /// The value of a null record value (a tombstone). A thrown error is a bad record.
    func deserializeNull() throws -> Value
}

extension Deserializer {
    /// `nil` when ``Deserializer/Value`` is Optional; otherwise throws
    /// ``SerializationError/nullValue(expected:)``.
    public func deserializeNull() throws -> Value {
        guard let null = NullValue.of(Value.self) else {
            throw SerializationError.nullValue(expected: "\(Value.self)")
        }
        return null
    }

    /// Decodes a record value that may be null: `bytes` with ``deserialize(_:)``, `nil` with
    /// ``deserializeNull()``.
    public func deserialize(nullable bytes: [UInt8]?) throws -> Value {
        guard let bytes else { return try deserializeNull() }
        return try deserialize(bytes)
    }
}
