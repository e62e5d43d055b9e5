import Sluice

/// The job's source over input topics of a ``TestDriver``, as `job.source(topics:)` is over
/// Kafka topics: one split per partition, read from offset 0, records as ``SourceRecord``s
/// with the topic, partition, offset, timestamp, key and headers they were piped with.
///
/// Its splits end only after ``TestInputTopic/end()`` (the job itself keeps running until the
/// driver closes it), and it counts as in-process, so `keyBy`
/// exchanges run in-process. Make it with ``TestTopics/source(topics:)``.
public final class TestTopicSource: Source {
    /// Byte records, as a Kafka source delivers them.
    public typealias Element = SourceRecord

    /// The topics, comma-separated.
    public let name: String
    /// `false`: the job runs until the driver closes it, even after its topics ended.
    public var isBounded: Bool { false }
    /// `true`: the records live in this process.
    public var isInProcess: Bool { true }

    private let topics: [String]
    private let store: TopicStore
    private let lockstep: Lockstep
    private var cursors: [Split: (offset: Int64, declarations: Int)] = [:]
    private var assigned: [Split] = []
    private var endReported: Set<Split> = []

    init(topics: [String], store: TopicStore, lockstep: Lockstep) {
        self.topics = topics
        self.store = store
        self.lockstep = lockstep
        name = topics.joined(separator: ",")
    }

    /// Every partition of every topic; a topic the test did not declare is an error naming it.
    public func splits() throws -> [Split] {
        try topics.flatMap { topic in
            guard let count = store.partitionCount(topic) else { throw TestDriverError.undeclaredTopic(topic) }
            return (0..<count).map { Split(topic: topic, partition: Int32($0)) }
        }
    }

    /// Starts new splits at their position, or offset 0; assigned splits keep theirs.
    public func assign(_ splits: [SplitStart]) {
        for start in splits where cursors[start.split] == nil {
            cursors[start.split] = (start.position ?? 0, 0)
            assigned.append(start.split)
        }
    }

    /// Makes the record at `offset` the next one read.
    public func seek(_ split: Split, to offset: Int64) {
        cursors[split]?.offset = offset
    }

    /// Forgets the splits' positions.
    public func revoke(_ splits: [Split]) {
        for split in splits { cursors[split] = nil }
        assigned.removeAll(where: splits.contains)
    }

    /// Waits (parked by the driver) until the test lets the round run, then delivers up to
    /// `maxRecords` piped records and the watermarks declared after them.
    public func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<SourceRecord>) {
        lockstep.sourceWillPoll(self)
        var budget = maxRecords
        for split in assigned {
            guard let cursor = cursors[split] else { continue }
            let (records, declarations) = store.read(split, from: cursor.offset, limit: budget, declarationsFrom: cursor.declarations)
            for record in records {
                batch.append(record, split: split, offset: record.offset, timestamp: record.timestamp)
            }
            for declaration in declarations {
                batch.advanceWatermark(split, to: declaration.watermark)
            }
            budget -= records.count
            let offset = cursor.offset + Int64(records.count)
            cursors[split] = (offset, cursor.declarations + declarations.count)
            if !endReported.contains(split), store.hasEnded(split, at: offset) {
                endReported.insert(split)
                batch.markEnded(split)
            }
        }
    }

    /// Whether an assigned split has records or watermarks not delivered yet.
    var hasUnread: Bool {
        assigned.contains { split in
            guard let cursor = cursors[split] else { return false }
            return store.hasUnread(split, from: cursor.offset, declarationsFrom: cursor.declarations)
                || (!endReported.contains(split) && store.hasEnded(split, at: cursor.offset))
        }
    }

    /// Records and declarations not delivered yet, to tell whether a round made progress.
    var position: Int64 {
        cursors.values.reduce(0) { $0 + $1.offset + Int64($1.declarations) } + Int64(endReported.count)
    }
}
