import RdKafka

/// Where each input partition of a bounded run ends, where it started and how far it was read,
/// so the source reports each partition ended exactly once, including one with nothing left to
/// read before any record arrives.
struct PartitionBounds {
    /// The end offset captured when the partition was assigned (exclusive), or the offset of the
    /// first record at or past the run's end time.
    private var ends: [TopicPartition: Int64] = [:]
    /// The first offset of each partition, resolved from the committed offset or the reset policy.
    private var starts: [TopicPartition: Int64] = [:]
    /// The offset after the last record handed out.
    private var next: [TopicPartition: Int64] = [:]
    /// Partitions already reported ended.
    private var ended: Set<TopicPartition> = []

    /// Captures the end of each partition starting at `starts` (``KafkaOffset`` values allowed),
    /// asking the brokers for its watermarks and, where it starts at the committed offset, for
    /// that.
    mutating func capture(_ starts: [TopicPartition: Int64], consumer: KafkaConsumer, startsAtLatestWithoutCommit: Bool) throws {
        guard !starts.isEmpty else { return }
        let atCommitted = starts.filter { $0.value == KafkaOffset.invalid }.map(\.key)
        let committed = atCommitted.isEmpty ? [:] : Dictionary(
            try consumer.committed(atCommitted).map { ($0.topicPartition, $0.offset) }, uniquingKeysWith: { first, _ in first })
        for (partition, start) in starts {
            ended.remove(partition)
            next[partition] = nil
            let marks = try consumer.watermarks(partition)
            ends[partition] = marks.high
            let resolved = start == KafkaOffset.invalid ? committed[partition] ?? KafkaOffset.invalid : start
            switch resolved {
            case KafkaOffset.end: self.starts[partition] = marks.high
            case KafkaOffset.beginning: self.starts[partition] = marks.low
            case KafkaOffset.invalid: self.starts[partition] = startsAtLatestWithoutCommit ? marks.high : marks.low
            default: self.starts[partition] = resolved
            }
        }
    }

    /// Whether the record at `offset` (stamped `timestamp`) belongs to the run, noting it read.
    /// A record at or past `endTime` ends its partition before it: it stays unhandled and
    /// uncommitted, so the next run starts there.
    mutating func admits(_ partition: TopicPartition, offset: Int64, timestamp: Int64?, endTime: Int64?) -> Bool {
        guard let end = ends[partition], offset < end else { return false }
        if let endTime, let timestamp, timestamp >= endTime {
            ends[partition] = offset
            return false
        }
        next[partition] = offset + 1
        return true
    }

    /// The partitions that reached their end since the last call, each reported once.
    mutating func takeEnded() -> [TopicPartition] {
        var reached: [TopicPartition] = []
        for (partition, end) in ends where !ended.contains(partition) {
            let position = next[partition] ?? starts[partition] ?? KafkaOffset.invalid
            if position >= end || end == 0 { reached.append(partition) }
        }
        ended.formUnion(reached)
        return reached.sorted()
    }

    /// The partition is read again from `offset` (a rewind). Returns whether it had been
    /// reported ended, so its source resumes fetching it.
    mutating func restart(_ partition: TopicPartition, at offset: Int64) -> Bool {
        let wasEnded = ended.remove(partition) != nil
        if ends[partition] != nil {
            next[partition] = nil
            starts[partition] = offset
        }
        return wasEnded
    }

    /// Drops what is known of partitions that leave this member.
    mutating func forget(_ partitions: [TopicPartition]) {
        for partition in partitions {
            ends[partition] = nil
            starts[partition] = nil
            next[partition] = nil
            ended.remove(partition)
        }
    }
}
