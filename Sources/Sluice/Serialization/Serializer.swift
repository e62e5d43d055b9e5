/// Turns a value into the bytes a ``Sink`` or an exchange writes.
///
/// Serializers are shared by every task of a job, so they must be safe to call from
/// several threads at once; most are stateless structs.
///
/// Sinks write record values through ``serialize(nullable:)``, which by default writes the
/// `nil` of an Optional type as a null value (a tombstone) and everything else with
/// ``serialize(_:)``.
public protocol Serializer<Value>: Sendable {
    /// The type this serializer encodes.
    associatedtype Value

    /// Encodes `value`. A thrown error is a bad record and follows the job's ``BadInputPolicy``.
    func serialize(_ value: Value) throws -> [UInt8]

    /// Encodes `value` as a record value, or returns `nil` for a null value (a tombstone).
    func serialize(nullable value: Value) throws -> [UInt8]?
}

extension Serializer {
    /// `nil` (a tombstone) for the `nil` of an Optional ``Serializer/Value``; otherwise
    /// ``serialize(_:)``.
    public func serialize(nullable value: Value) throws -> [UInt8]? {
        NullValue.isNull(value) ? nil : try serialize(value)
    }
}
