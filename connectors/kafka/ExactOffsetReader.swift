import RdKafka

/// Reads the one record at an exact offset of each of several partitions, through a consumer it
/// assigns them to (no group membership), in one fetch round rather than one per partition.
///
/// The consumer should read `read_uncommitted`: a checkpoint pointer names a record of a
/// committed transaction, and a transaction another worker left open behind it must not hide it.
struct ExactOffsetReader {
    /// What an offset held.
    enum Outcome: Equatable {
        /// A record; its value is `nil` for a tombstone.
        case record(value: [UInt8]?)
        /// No record: why, in words that fit after "holds no record: ".
        case absent(String)
    }

    let consumer: KafkaConsumer
    /// How long the whole read may take.
    let timeout: Duration

    /// The record at `offset` of each partition; throws the first partition still unread after
    /// ``timeout``.
    func read(_ targets: [TopicPartition: Int64]) throws -> [TopicPartition: Outcome] {
        var outcomes: [TopicPartition: Outcome] = [:]
        var pending: [TopicPartition: Int64] = [:]
        for (partition, offset) in targets {
            // An offset outside the watermarks would make the consumer reset to the start of the
            // log (or wait forever at its end), so it is answered without a fetch. Tansu reports
            // the high watermark as the base offset of the last batch + 1, but a manifest is
            // always alone in its batch (written after a flush, followed only by the
            // transaction's commit marker), so even that value lies past every manifest.
            let marks = try consumer.watermarks(partition, timeout: timeout)
            if offset < marks.low {
                outcomes[partition] = .absent("the partition starts at offset \(marks.low)")
            } else if offset >= marks.high {
                outcomes[partition] = .absent("the partition ends before it (next offset \(marks.high))")
            } else {
                pending[partition] = offset
            }
        }
        guard !pending.isEmpty else { return outcomes }
        try consumer.assign(pending.map { TopicPartitionOffset($0.key.topic, $0.key.partition, offset: $0.value) })
        defer { try? consumer.assign([]) }
        let deadline = ContinuousClock.now + timeout
        while !pending.isEmpty {
            guard ContinuousClock.now < deadline else {
                let (partition, offset) = pending.min { $0.key.description < $1.key.description }!
                throw KafkaError(
                    code: -185, name: "_TIMED_OUT",
                    message: "reading offset \(offset) of \(partition) took longer than \(timeout)")
            }
            try consumer.poll(maxRecords: 1000, timeout: .milliseconds(200)) { record in
                let partition = TopicPartition(record.topic, record.partition)
                guard let offset = pending[partition] else { return }
                if record.offset == offset {
                    outcomes[partition] = .record(value: record.value.map { Array($0) })
                    pending[partition] = nil
                } else if record.offset > offset {
                    outcomes[partition] = .absent("compacted away, or a transaction marker")
                    pending[partition] = nil
                }
            }
            // An offset holding a transaction marker yields no record: the consumer's position
            // then moves past it without handing anything out.
            for position in try consumer.position(Array(pending.keys)) {
                let partition = position.topicPartition
                if let offset = pending[partition], position.offset > offset {
                    outcomes[partition] = .absent("compacted away, or a transaction marker")
                    pending[partition] = nil
                }
            }
        }
        return outcomes
    }
}
