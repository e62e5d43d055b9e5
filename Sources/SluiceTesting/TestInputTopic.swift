import Sluice

/// An input topic of a ``TestDriver``: every pipe appends records to the topic's partitions and
/// then lets the job process everything new before it returns.
///
/// Records piped in one call reach the job in one poll, as one batch (split into batches of
/// the job's `batchSize`), so the watermark moves after the whole batch; pipe them one at a
/// time to move it after each record.
public final class TestInputTopic<Value>: TestRecordPipe {
    /// The topic's name.
    public let name: String
    /// The number of partitions.
    public let partitions: Int
    private let driver: TestDriver
    private let serializer: any Serializer<Value>
    private let store: TopicStore

    init(name: String, partitions: Int, serializer: any Serializer<Value>, driver: TestDriver, store: TopicStore) {
        self.name = name
        self.partitions = partitions
        self.serializer = serializer
        self.driver = driver
        self.store = store
    }

    /// Pipes the records in one batch and processes them.
    public func pipe(_ records: [TestRecord<Value>]) throws {
        let now = driver.processingTime
        var encoded: [(key: [UInt8]?, value: [UInt8]?, timestamp: Int64, headers: [RecordHeader], partition: Int32?)] = []
        encoded.reserveCapacity(records.count)
        for record in records {
            let bytes = try serialized(record, with: serializer)
            encoded.append((record.key, bytes, record.timestamp ?? now, record.headers, record.partition))
        }
        try store.append(encoded, to: name)
        try driver.process()
    }

    /// Declares on every partition of this topic that no record at or below `watermark`
    /// follows, then lets the job process it: windows and event-time timers up to `watermark`
    /// fire once every input of an operator has passed it.
    ///
    /// The declaration moves the watermark the job's sources generate. A job that gives its
    /// stream new timestamps (``DataStream/assignTimestampsAndWatermarks(_:)``, or a
    /// `withTimestampAssigner` strategy) generates its watermark from those instead, so there
    /// it moves only with records.
    public func advanceWatermark(to watermark: Int64) throws {
        try store.declareWatermark(watermark, on: name)
        try driver.process()
    }

    /// Ends the topic as a bounded input ends: its partitions' final watermark fires every
    /// pending window and event-time timer behind them. Nothing can be piped afterwards.
    public func end() throws {
        try store.end(name)
        try driver.process()
    }
}
