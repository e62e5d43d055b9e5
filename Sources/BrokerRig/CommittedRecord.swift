import Foundation

/// One record a read_committed consumer sees, as reported by ``Verifier``.
public struct CommittedRecord: Sendable, Equatable, Hashable {
    /// The partition the record is in.
    public var partition: Int32
    /// The record's offset in its partition.
    public var offset: Int64
    /// The key bytes, or `nil` for a record without a key.
    public var key: [UInt8]?
    /// The value bytes (empty for a record with a null value).
    public var value: [UInt8]

    /// Creates a record.
    public init(partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]) {
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
    }

    /// The key decoded as UTF-8, or `nil` when there is no key or it is not valid UTF-8.
    public var keyString: String? { key.flatMap { String(bytes: $0, encoding: .utf8) } }

    /// The value decoded as UTF-8, or `nil` when it is not valid UTF-8.
    public var valueString: String? { String(bytes: value, encoding: .utf8) }
}
