import Synchronization
import Sluice

/// The in-memory topics of one test driver: input topics as partitioned logs the job's sources
/// read with offsets, output topics as the records the job's sinks wrote, in write order.
///
/// The test thread writes inputs and reads outputs while the job is parked between rounds; the
/// job thread reads inputs and writes outputs during a round. The mutex makes each hand-over
/// visible to the other thread.
final class TopicStore: Sendable {
    /// A watermark declared on a partition once the records before `offset` were piped.
    struct Declaration {
        var offset: Int64
        var watermark: Int64
    }

    private struct InputTopic {
        var partitions: [[SourceRecord]]
        var declarations: [[Declaration]]
        var nextPartition: Int32 = 0
        var ended = false
    }

    private struct State {
        var inputs: [String: InputTopic] = [:]
        var outputs: [String: [SinkRecord]] = [:]
    }

    private let state = Mutex(State())

    /// Creates `topic` with `partitions`, or checks that it already has that many.
    func declareInput(_ topic: String, partitions: Int) throws {
        precondition(partitions > 0, "a topic needs at least one partition")
        try state.withLock { state in
            if let existing = state.inputs[topic] {
                guard existing.partitions.count == partitions else {
                    throw TestDriverError.partitionCountMismatch(topic: topic, declared: existing.partitions.count, requested: partitions)
                }
                return
            }
            state.inputs[topic] = InputTopic(
                partitions: Array(repeating: [], count: partitions), declarations: Array(repeating: [], count: partitions))
        }
    }

    /// The partition count of a declared input topic.
    func partitionCount(_ topic: String) -> Int? {
        state.withLock { $0.inputs[topic]?.partitions.count }
    }

    /// Appends records, each to its own partition, the key's murmur2 partition, or the next one
    /// round robin, at the partition's next offset.
    func append(_ records: [(key: [UInt8]?, value: [UInt8]?, timestamp: Int64, headers: [RecordHeader], partition: Int32?)],
                to topic: String) throws {
        try state.withLock { state in
            guard var input = state.inputs[topic] else { throw TestDriverError.undeclaredTopic(topic) }
            guard !input.ended else { throw TestDriverError.topicEnded(topic) }
            let count = input.partitions.count
            // Checked before anything is appended, so a bad record leaves the topic unchanged.
            for record in records {
                if let partition = record.partition, !(0..<count).contains(Int(partition)) {
                    throw TestDriverError.noSuchPartition(topic: topic, partition: partition, partitions: count)
                }
            }
            for record in records {
                let partition: Int32
                if let explicit = record.partition {
                    partition = explicit
                } else if let key = record.key {
                    partition = Int32(Murmur2.partition(key: key, partitionCount: count))
                } else {
                    partition = input.nextPartition
                    input.nextPartition = (input.nextPartition + 1) % Int32(count)
                }
                let offset = Int64(input.partitions[Int(partition)].count)
                input.partitions[Int(partition)].append(SourceRecord(
                    topic: topic, partition: partition, offset: offset, timestamp: record.timestamp,
                    key: record.key, value: record.value, headers: record.headers))
            }
            state.inputs[topic] = input
        }
    }

    /// Declares `watermark` on every partition of `topic`, after the records piped so far.
    func declareWatermark(_ watermark: Int64, on topic: String) throws {
        try state.withLock { state in
            guard var input = state.inputs[topic] else { throw TestDriverError.undeclaredTopic(topic) }
            for partition in input.partitions.indices {
                input.declarations[partition].append(
                    Declaration(offset: Int64(input.partitions[partition].count), watermark: watermark))
            }
            state.inputs[topic] = input
        }
    }

    /// Ends `topic`: once its sources have read every record, its partitions end.
    func end(_ topic: String) throws {
        try state.withLock { state in
            guard state.inputs[topic] != nil else { throw TestDriverError.undeclaredTopic(topic) }
            state.inputs[topic]!.ended = true
        }
    }

    /// Whether `topic` was ended and `split` holds no record at or after `offset`.
    func hasEnded(_ split: Split, at offset: Int64) -> Bool {
        state.withLock { state in
            guard let input = state.inputs[split.topic], input.ended else { return false }
            return Int64(input.partitions[Int(split.partition)].count) <= offset
        }
    }

    /// Every declared input topic's name.
    var inputTopics: [String] {
        state.withLock { Array($0.inputs.keys).sorted() }
    }

    /// The input topics not ended yet.
    var openInputTopics: [String] {
        state.withLock { $0.inputs.filter { !$0.value.ended }.keys.sorted() }
    }

    /// Up to `limit` records of `split` from `offset` on, and the declarations due once they are
    /// read (those at or before the offset reached), starting after declaration `declared`.
    func read(_ split: Split, from offset: Int64, limit: Int, declarationsFrom declared: Int)
        -> (records: ArraySlice<SourceRecord>, declarations: ArraySlice<Declaration>) {
        state.withLock { state in
            guard let input = state.inputs[split.topic] else { return ([], []) }
            let log = input.partitions[Int(split.partition)]
            let start = min(Int(offset), log.count)
            let end = min(log.count, start + max(limit, 0))
            let reached = Int64(end)
            let declarations = input.declarations[Int(split.partition)]
            var due = min(declared, declarations.count)
            while due < declarations.count, declarations[due].offset <= reached { due += 1 }
            return (log[start..<end], declarations[min(declared, declarations.count)..<due])
        }
    }

    /// Whether `split` has records from `offset` on or declarations from index `declared` on.
    func hasUnread(_ split: Split, from offset: Int64, declarationsFrom declared: Int) -> Bool {
        state.withLock { state in
            guard let input = state.inputs[split.topic] else { return false }
            return input.partitions[Int(split.partition)].count > offset
                || input.declarations[Int(split.partition)].count > declared
        }
    }

    /// Appends records the job wrote; those without their own topic go to `defaultTopic`.
    func write(_ records: [SinkRecord], defaultTopic: String) {
        state.withLock { state in
            for record in records {
                state.outputs[record.topic ?? defaultTopic, default: []].append(record)
            }
        }
    }

    /// The records written to `topic`, from index `start` on.
    func outputs(_ topic: String, from start: Int) -> ArraySlice<SinkRecord> {
        state.withLock { state in
            let records = state.outputs[topic] ?? []
            return records[min(start, records.count)...]
        }
    }
}
