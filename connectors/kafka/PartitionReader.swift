import Logging
import RdKafka
import Sluice

/// Reads ranges of partitions record by record, through a consumer it assigns them to one at a
/// time (no group membership, `read_uncommitted`): the one reader behind the checkpoint log's
/// restores, the checkpoint catalog and the offset tools.
///
/// Records of open and aborted transactions are read too: every caller reads offsets that a
/// committed transaction named, or wants the partition's true end.
///
/// An offset that holds no record (compacted away, a transaction marker, outside the
/// partition) is not an error: nothing is handed out for it, and the caller decides what that
/// means. A read that cannot be done is ``PartitionReadError``: ``PartitionReadError/unreachable(bootstrap:split:offset:reason:)``
/// when librdkafka reports that no broker answered, or when the read makes no progress for
/// ``timeout``; ``PartitionReadError/failed(bootstrap:split:offset:error:)`` for any other
/// librdkafka error.
///
/// Tansu 0.6 reports a partition's high watermark as the base offset of its last batch + 1,
/// not its end; fetches return whole batches, so the last batch is read whole all the same,
/// and ``end(of:marks:)`` reads on past the reported end to find the true one.
struct PartitionReader: CheckpointRecordReader {
    let consumer: KafkaConsumer
    /// The brokers, as errors name them.
    let bootstrapServers: String
    /// How long a request may take, and a read may go on without progress.
    let timeout: Duration

    /// A consumer for a reader: `read_uncommitted`, and fetches that come back at once at the
    /// end of a partition instead of after librdkafka's default 500 ms, which every bounded
    /// read would otherwise wait out (measured on Tansu: every read of a restore took ~500 ms).
    /// `properties` (SASL, SSL, …) win over these; `groupID` names a group whose committed
    /// offsets the same consumer reads, without joining it.
    static func makeConsumer(
        bootstrapServers: String, properties: [String: String], groupID: String? = nil, logger: Logger
    ) throws -> KafkaConsumer {
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: groupID)
        configuration.isolationLevel = .readUncommitted
        configuration.client.properties = ["fetch.wait.max.ms": "10"].merging(properties) { _, given in given }
        return try KafkaConsumer(configuration: configuration, logger: logger)
    }

    // MARK: CheckpointRecordReader

    /// The records of `split` with offsets in `from...through`.
    func read(_ split: Split, from: Int64, through: Int64) throws -> [CheckpointLogRecord] {
        guard from <= through else { return [] }
        var out: [CheckpointLogRecord] = []
        try scan(split, from: max(from, 0), until: min(through + 1, try nextOffset(of: split, at: from))) { record in
            if record.offset <= through { out.append(Self.checkpointRecord(record)) }
            return record.offset < through
        }
        return out
    }

    /// Every record of `split` from `from` until the position reaches the reported high
    /// watermark.
    func readToEnd(_ split: Split, from: Int64) throws -> [CheckpointLogRecord] {
        var out: [CheckpointLogRecord] = []
        try scan(split, from: max(from, 0), until: try nextOffset(of: split, at: from)) { record in
            out.append(Self.checkpointRecord(record))
            return true
        }
        return out
    }

    // MARK: Bounds

    /// The low and high watermarks of `split` as its leader reports them.
    func watermarks(of split: Split) throws -> Watermarks {
        Watermarks(low: try listOffset(-2, of: split, at: nil), high: try listOffset(-1, of: split, at: nil))
    }

    /// The offset the next record of `split` gets: past the last record, batch or transaction
    /// marker in it, read rather than taken from the high watermark (`marks`, as the broker
    /// reported them).
    func end(of split: Split, marks: Watermarks) throws -> Int64 {
        guard marks.high > marks.low else { return marks.high }
        let reached = try scan(split, from: marks.high - 1, until: marks.high, readsPastEnd: true) { _ in true }
        return max(marks.high, reached)
    }

    // MARK: Reading

    /// Hands each record of `split` from `offset` on to `body`, in order, until `body` returns
    /// `false` or the read position reaches `end`; with `readsPastEnd`, it reads on past `end`
    /// while records still arrive. Returns the read position where it stopped: past the last
    /// record handed out, or past the transaction markers and gaps after it. An `offset` before
    /// the first record still in the partition reads from that record (the consumer's
    /// `auto.offset.reset` is `earliest`).
    @discardableResult
    func scan(
        _ split: Split, from offset: Int64, until end: Int64, readsPastEnd: Bool = false,
        _ body: (KafkaRecordView) throws -> Bool
    ) throws -> Int64 {
        guard offset < end else { return offset }
        let partition = TopicPartition(split.topic, split.partition)
        try kafka(split, at: offset) { try consumer.assign([TopicPartitionOffset(split.topic, split.partition, offset: offset)]) }
        defer { try? consumer.assign([]) }
        let clock = ContinuousClock()
        var lastProgress = clock.now
        var next = offset
        while true {
            var handed = 0
            var stopped = false
            _ = try kafka(split, at: next) {
                try consumer.poll(maxRecords: 1000, timeout: .milliseconds(100)) { record in
                    guard !stopped, record.topic == split.topic, record.partition == split.partition, record.offset >= next else {
                        return
                    }
                    handed += 1
                    next = record.offset + 1
                    if try !body(record) { stopped = true }
                }
            }
            if stopped { return next }
            // A transaction marker yields no record: the position moves past it without one.
            let position = try kafka(split, at: next) { try consumer.position([partition]).first?.offset } ?? KafkaOffset.invalid
            if position > next {
                next = position
                lastProgress = clock.now
            }
            if handed > 0 { lastProgress = clock.now }
            if next >= end, handed == 0 || !readsPastEnd { return next }
            if clock.now - lastProgress > timeout {
                throw PartitionReadError.unreachable(
                    bootstrap: bootstrapServers, split: split, offset: next,
                    reason: "no record and no progress for \(timeout) (reading up to offset \(end))")
            }
        }
    }

    // MARK: Helpers

    /// The high watermark of `split` as its leader reports it: where a read of the partition's
    /// records so far ends.
    private func nextOffset(of split: Split, at offset: Int64) throws -> Int64 {
        try listOffset(-1, of: split, at: offset)
    }

    /// The partition's first (`-2`) or next (`-1`) offset, asked with ListOffsets through
    /// `rd_kafka_offsets_for_times` rather than with `rd_kafka_query_watermark_offsets`, which
    /// before librdkafka 2.3 (Debian's is 2.0.2) waits forever, whatever its timeout, while the
    /// partition's leader is down (librdkafka #2588; seen here on the mock cluster).
    private func listOffset(_ sentinel: Int64, of split: Split, at offset: Int64?) throws -> Int64 {
        let partition = TopicPartition(split.topic, split.partition)
        let step = "asking the partition's leader for its \(sentinel == -2 ? "first" : "next") offset"
        return try kafka(split, at: offset, step: step) {
            try consumer.offsets(forTimestamp: sentinel, in: [partition], timeout: timeout).first?.offset ?? 0
        }
    }

    /// Runs `body`, turning a librdkafka error into the ``PartitionReadError`` that says what
    /// it means for reading `split` at `offset`; `step` names the request in the reason.
    private func kafka<T>(_ split: Split, at offset: Int64?, step: String? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KafkaError {
            let reason = step.map { "\($0): \(error)" } ?? "\(error)"
            throw error.meansUnreachable
                ? PartitionReadError.unreachable(bootstrap: bootstrapServers, split: split, offset: offset, reason: reason)
                : PartitionReadError.failed(bootstrap: bootstrapServers, split: split, offset: offset, error: error)
        }
    }

    private static func checkpointRecord(_ record: KafkaRecordView) -> CheckpointLogRecord {
        CheckpointLogRecord(offset: record.offset, key: record.copyKey() ?? [], value: record.copyValue())
    }
}
