/// Turns the bytes a ``Source`` delivered into a typed value.
///
/// Deserializers are shared by every task of a job, so they must be safe to call from
/// several threads at once; most are stateless structs.
public protocol Deserializer<Value>: Sendable {
    /// The type this deserializer decodes.
    associatedtype Value

    /// Decodes `bytes`. A thrown error is a bad record and follows the job's ``BadInputPolicy``,
    /// which names the record's topic, partition and offset.
    func deserialize(_ bytes: [UInt8]) throws -> Value
}
