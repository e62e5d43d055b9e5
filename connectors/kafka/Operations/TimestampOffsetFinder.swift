import RdKafka
import Sluice

/// Finds, in a partition, the first offset whose record timestamp is at or after a time.
///
/// It asks the broker (ListOffsets for a time) and verifies the answer by reading: the record
/// there must be at or after the time and, unless it is the first of the partition, the record
/// before it must be earlier. No broker here answers correctly (both librdkafka mock clusters
/// answer -1, Tansu 0.6 answers 0), so when the answer is missing or fails the check, the
/// partition is read from its start until the first record at or after the time, or its end.
struct TimestampOffsetFinder {
    let groupConsumer: KafkaConsumer
    let reader: PartitionReader
    let timeout: Duration

    /// The offset, and whether the broker's answer held (``OffsetResolution/lookup``) or the
    /// partition was read (``OffsetResolution/scan``). `low` and `end` bound the partition's
    /// records (`end` read, not taken from the high watermark).
    func offset(
        atOrAfter time: Int64, in partition: TopicPartition, low: Int64, end: Int64
    ) throws -> (offset: Int64, resolution: OffsetResolution) {
        let answer = try groupConsumer.offsets(forTimestamp: time, in: [partition], timeout: timeout).first?.offset ?? -1
        if answer >= low, answer < end, try verifies(answer, time: time, in: partition, low: low, end: end) {
            return (answer, .lookup)
        }
        var found = end
        try reader.scan(Split(topic: partition.topic, partition: partition.partition), from: low, until: end) { record in
            guard let timestamp = record.timestamp, timestamp >= time else { return true }
            found = record.offset
            return false
        }
        return (found, .scan)
    }

    /// Whether the record at `offset` is at or after `time` and the record before it (if any)
    /// is earlier; `false` too when either cannot be told (no timestamp, a transaction marker
    /// or a compacted gap just before it).
    private func verifies(_ offset: Int64, time: Int64, in partition: TopicPartition, low: Int64, end: Int64) throws -> Bool {
        var seen: [Int64: Int64?] = [:]
        let from = max(low, offset - 1)
        try reader.scan(Split(topic: partition.topic, partition: partition.partition), from: from, until: end) { record in
            seen[record.offset] = record.timestamp
            return record.offset < offset
        }
        guard let atAnswer = seen[offset], let timestamp = atAnswer, timestamp >= time else { return false }
        guard offset > low else { return true }
        guard let before = seen[offset - 1], let previous = before else { return false }
        return previous < time
    }
}
