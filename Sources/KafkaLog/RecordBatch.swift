/// A v2 record batch as stored in a partition: the header fields the audit needs, and its
/// records (decompressed).
public struct RecordBatch: Sendable, Equatable {
    /// The offset of the batch's first record.
    public var baseOffset: Int64
    /// `baseOffset` plus the batch's last offset delta: the offset of its last record, also
    /// when compaction removed records.
    public var lastOffset: Int64
    /// The batch attributes (bits 0-2 compression, 4 transactional, 5 control).
    public var attributes: Int16
    /// The producer id; -1 for a producer without one.
    public var producerID: Int64
    /// The producer epoch.
    public var producerEpoch: Int16
    /// The records, each with its absolute offset.
    public var records: [LogRecord]

    /// A batch from its parts.
    public init(baseOffset: Int64, lastOffset: Int64, attributes: Int16, producerID: Int64, producerEpoch: Int16, records: [LogRecord]) {
        self.baseOffset = baseOffset
        self.lastOffset = lastOffset
        self.attributes = attributes
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.records = records
    }

    /// Attributes bit 4: written inside a transaction.
    public var isTransactional: Bool { attributes & 0x10 != 0 }

    /// Attributes bit 5: a control batch (a transaction marker), not data.
    public var isControl: Bool { attributes & 0x20 != 0 }

    /// The codec of attributes bits 0-2; `nil` for a codec Kafka does not define.
    public var compression: BatchCompression? { BatchCompression(rawValue: Int(attributes & 0x07)) }

    /// A control batch's marker: the type in its first record's key; `nil` for data batches.
    public var controlType: ControlRecordType? {
        isControl ? ControlRecordType(key: records.first?.key) : nil
    }
}
