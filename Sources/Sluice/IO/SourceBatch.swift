/// What one ``Source/poll(maxRecords:timeout:into:)`` call delivers: records grouped by split,
/// each with its offset and timestamp, plus the splits that reached their end.
///
/// Records of one split must be appended in offset order; the runtime commits, per split, the
/// offset after the last record the whole job has handled.
public struct SourceBatch<Element> {
    /// The records of one split in this batch, as parallel arrays so a chunk can flow into the
    /// operator chain without being copied element by element.
    public struct Chunk {
        /// The split every record of the chunk comes from.
        public var split: Split
        /// The records, in offset order.
        public var values: [Element]
        /// Each record's own offset in ``split``.
        public var offsets: [Int64]
        /// Each record's timestamp in milliseconds; event time unless the job assigns its own.
        public var timestamps: [Int64]

        /// A chunk of `split`; the three arrays must have the same length.
        public init(split: Split, values: [Element] = [], offsets: [Int64] = [], timestamps: [Int64] = []) {
            precondition(values.count == offsets.count && values.count == timestamps.count,
                         "a chunk needs one offset and one timestamp per value")
            self.split = split
            self.values = values
            self.offsets = offsets
            self.timestamps = timestamps
        }
    }

    /// The records, one chunk per run of consecutive records of a split.
    public private(set) var chunks: [Chunk] = []
    /// Splits of a bounded source that have no records beyond those delivered so far.
    public private(set) var endedSplits: [Split] = []
    /// Per split, the highest watermark the source declared with ``advanceWatermark(_:to:)``.
    public private(set) var watermarks: [Split: Int64] = [:]

    /// An empty batch.
    public init() {}

    /// The number of records in the batch.
    public var count: Int { chunks.reduce(0) { $0 + $1.values.count } }

    /// Appends one record; consecutive records of the same split share a chunk.
    public mutating func append(_ value: Element, split: Split, offset: Int64, timestamp: Int64) {
        if chunks.last?.split != split {
            chunks.append(Chunk(split: split))
        }
        chunks[chunks.count - 1].values.append(value)
        chunks[chunks.count - 1].offsets.append(offset)
        chunks[chunks.count - 1].timestamps.append(timestamp)
    }

    /// Appends a whole chunk, the cheap path for sources that read in bulk.
    public mutating func append(_ chunk: Chunk) {
        chunks.append(chunk)
    }

    /// Declares that `split` has ended: the runtime gives it the final watermark and stops
    /// expecting records from it.
    public mutating func markEnded(_ split: Split) {
        endedSplits.append(split)
    }

    /// Declares that no record of `split` with a timestamp at or below `watermark` follows, like
    /// Flink's `SourceOutput.emitWatermark`: the split's watermark moves to `watermark` (or
    /// stays where records already put it, if higher) without a record, and the split counts as
    /// active. The runtime applies it as if a record at `watermark` + out-of-orderness + 1 had
    /// arrived (saturating at `Int64.max`), so checkpoints keep it with the split's progress.
    /// Sources over Kafka never declare one; the runtime drops it with the poll's records
    /// when a rewind discards them.
    public mutating func advanceWatermark(_ split: Split, to watermark: Int64) {
        watermarks[split] = max(watermarks[split] ?? .min, watermark)
    }

    /// Empties the batch and keeps its storage for the next poll.
    public mutating func removeAll() {
        chunks.removeAll(keepingCapacity: true)
        endedSplits.removeAll(keepingCapacity: true)
        watermarks.removeAll(keepingCapacity: true)
    }
}
