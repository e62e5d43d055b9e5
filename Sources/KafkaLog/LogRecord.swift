/// One record of a record batch: its absolute offset, key and value. Headers are read past,
/// not kept: the audit compares keys, values and fields of values only.
public struct LogRecord: Sendable, Equatable {
    /// The record's offset in its partition.
    public var offset: Int64
    /// The key; `nil` for a null key.
    public var key: [UInt8]?
    /// The value; `nil` for a null value (a tombstone).
    public var value: [UInt8]?

    /// A record from its parts.
    public init(offset: Int64, key: [UInt8]?, value: [UInt8]?) {
        self.offset = offset
        self.key = key
        self.value = value
    }
}
