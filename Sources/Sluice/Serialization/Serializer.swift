/// Turns a value into the bytes a ``Sink`` or an exchange writes.
///
/// Serializers are shared by every task of a job, so they must be safe to call from
/// several threads at once; most are stateless structs.
public protocol Serializer<Value>: Sendable {
    /// The type this serializer encodes.
    associatedtype Value

    /// Encodes `value`. A thrown error is a bad record and follows the job's ``BadInputPolicy``.
    func serialize(_ value: Value) throws -> [UInt8]
}
