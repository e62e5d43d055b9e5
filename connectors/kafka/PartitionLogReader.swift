import RdKafka

/// Reads partitions record by record through a consumer it assigns them to (no group
/// membership, `read_uncommitted`): the true end of a partition, and the offsets and
/// timestamps of records, for the offset commands.
///
/// The end is read rather than taken from the high watermark because Tansu 0.6 reports the
/// high watermark as the base offset of the partition's last batch plus one, not the end of
/// the log: the last batch is read from there to its end.
struct PartitionLogReader {
    let consumer: KafkaConsumer
    /// How long a read may go on without progress.
    let timeout: Duration

    /// The offset the next record of `partition` gets: past the last record, batch or
    /// transaction marker in it. `marks` are the partition's watermarks as the broker reported them.
    func end(of partition: TopicPartition, marks: Watermarks) throws -> Int64 {
        guard marks.high > marks.low else { return marks.high }
        var end = marks.high
        let reached = try read(partition, from: marks.high - 1, reportedEnd: marks.high) { offset, _ in
            end = max(end, offset + 1)
            return true
        }
        return max(end, reached)
    }

    /// Hands each record of `partition` from `offset` on (its offset and timestamp) to `body`
    /// until `body` returns `false` or nothing is left before `reportedEnd`; returns the
    /// consumer's position when it stopped.
    @discardableResult
    func read(
        _ partition: TopicPartition, from offset: Int64, reportedEnd: Int64, _ body: (Int64, Int64?) throws -> Bool
    ) throws -> Int64 {
        guard offset < reportedEnd else { return offset }
        try consumer.assign([TopicPartitionOffset(partition.topic, partition.partition, offset: offset)])
        defer { try? consumer.assign([]) }
        let clock = ContinuousClock()
        var lastProgress = clock.now
        var next = offset
        while true {
            var handed = 0
            var stopped = false
            try consumer.poll(maxRecords: 1000, timeout: .milliseconds(100)) { record in
                guard !stopped, record.topic == partition.topic, record.partition == partition.partition,
                      record.offset >= next else { return }
                handed += 1
                next = record.offset + 1
                if try !body(record.offset, record.timestamp) { stopped = true }
            }
            if stopped { return next }
            // A transaction marker yields no record: the position moves past it without one.
            let position = try consumer.position([partition]).first?.offset ?? KafkaOffset.invalid
            if position > next {
                next = position
                lastProgress = clock.now
            }
            if handed > 0 {
                lastProgress = clock.now
            } else if next >= reportedEnd {
                return next
            }
            if clock.now - lastProgress > timeout {
                throw KafkaError(
                    code: -185, name: "_TIMED_OUT",
                    message: "reading \(partition) at offset \(next) (up to \(reportedEnd)) made no progress for \(timeout)")
            }
        }
    }
}
