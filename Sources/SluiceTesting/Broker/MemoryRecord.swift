import Sluice

/// One record in a partition of a ``MemoryBroker`` topic, as a consumer fetches it.
public struct MemoryRecord: Sendable, Equatable {
    /// Its offset in the partition.
    public var offset: Int64
    /// The key bytes, or `nil`.
    public var key: [UInt8]?
    /// The value bytes, or `nil` (a tombstone).
    public var value: [UInt8]?
    /// Its headers.
    public var headers: [RecordHeader]
    /// Its timestamp in milliseconds.
    public var timestamp: Int64
    /// The transaction that wrote it (``MemoryBroker/outcome(ofTransaction:)``); `nil` for a
    /// record written outside any transaction.
    public var transaction: Int?

    /// A record at `offset`.
    public init(offset: Int64, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = [], timestamp: Int64,
                transaction: Int? = nil) {
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
        self.transaction = transaction
    }
}
