import Foundation
import RdKafka
import Sluice

/// The checkpoint topics of a Kafka job (`<job>-<stage>-checkpoints`, compacted): appends go
/// through the worker's producer, inside its transaction; reads go through a consumer of their
/// own that reads exact offsets with `read_uncommitted`, so a transaction left open by a crashed
/// or paused worker never blocks a restore. What is read is what a committed manifest names.
final class KafkaCheckpointLog: CheckpointLog, @unchecked Sendable {
    private let producer: WorkerProducer
    private let topics: InternalTopicAdmin
    private let reader: KafkaConsumer
    private let readTimeout: Duration

    init(producer: WorkerProducer, topics: InternalTopicAdmin, bootstrapServers: String, properties: [String: String],
         readTimeout: Duration = .seconds(30)) throws {
        self.producer = producer
        self.topics = topics
        self.readTimeout = readTimeout
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrapServers)
        configuration.isolationLevel = .readUncommitted
        // This consumer reads bounded ranges, one partition after another: a fetch at the end of
        // a partition must come back at once, not be held for librdkafka's default 500 ms, which
        // the next read waits out before its own fetch goes (measured on Tansu: every read of a
        // restore took ~500 ms, a task's restore ~1 s, a rebalance's restores that times the tasks).
        configuration.client.properties = ["fetch.wait.max.ms": "10"].merging(properties) { _, given in given }
        reader = try KafkaConsumer(configuration: configuration)
    }

    /// Compacted, never deleted by time: a manifest must outlive any retention.
    func ensureTopics(_ topics: [InternalTopic]) throws {
        try self.topics.ensure(topics, config: ["cleanup.policy": "compact"], exact: false)
    }

    func append(to split: Split, key: [UInt8], value: [UInt8]?) throws -> CheckpointReceipt {
        let receipt = CheckpointReceipt()
        try producer.send(topic: split.topic, partition: split.partition, key: key, value: value, receipt: receipt)
        return receipt
    }

    func flush() throws {
        try producer.flush()
    }

    func read(_ split: Split, from: Int64, through: Int64) throws -> [CheckpointLogRecord] {
        guard from <= through else { return [] }
        let partition = TopicPartition(split.topic, split.partition)
        try reader.assign([TopicPartitionOffset(split.topic, split.partition, offset: from)])
        defer { try? reader.assign([]) }
        var out: [CheckpointLogRecord] = []
        let deadline = ContinuousClock.now + readTimeout
        while ContinuousClock.now < deadline {
            var reached = false
            try reader.poll(maxRecords: 1000, timeout: .milliseconds(200)) { record in
                guard record.topic == split.topic, record.partition == split.partition, record.offset >= from else { return }
                if record.offset <= through {
                    out.append(CheckpointLogRecord(
                        offset: record.offset, key: record.key.map { Array($0) } ?? [], value: record.value.map { Array($0) }))
                }
                if record.offset >= through { reached = true }
            }
            if reached { return out }
            // The last offsets of the range may hold no record (compacted away, or a transaction
            // marker): the consumer's position then passes the range without handing it out.
            if let position = try reader.position([partition]).first?.offset, position > through { return out }
        }
        throw KafkaError(
            code: -185, name: "_TIMED_OUT",
            message: "reading \(split) offsets \(from)...\(through) took longer than \(readTimeout)")
    }

    /// Reads until the consumer's position reaches the partition's high watermark. Tansu reports
    /// that as the base offset of the last batch plus one, but fetches return whole batches, so
    /// the last batch is read whole all the same.
    func readToEnd(_ split: Split, from: Int64) throws -> [CheckpointLogRecord] {
        let partition = TopicPartition(split.topic, split.partition)
        let end = try reader.watermarks(partition).high
        guard end > from else { return [] }
        try reader.assign([TopicPartitionOffset(split.topic, split.partition, offset: from)])
        defer { try? reader.assign([]) }
        var out: [CheckpointLogRecord] = []
        let deadline = ContinuousClock.now + readTimeout
        while ContinuousClock.now < deadline {
            var last: Int64 = -1
            try reader.poll(maxRecords: 1000, timeout: .milliseconds(200)) { record in
                guard record.topic == split.topic, record.partition == split.partition, record.offset >= from else { return }
                out.append(CheckpointLogRecord(
                    offset: record.offset, key: record.key.map { Array($0) } ?? [], value: record.value.map { Array($0) }))
                last = max(last, record.offset)
            }
            if last + 1 >= end { return out }
            if let position = try reader.position([partition]).first?.offset, position >= end { return out }
        }
        throw KafkaError(
            code: -185, name: "_TIMED_OUT", message: "reading \(split) from offset \(from) to its end \(end) took longer than \(readTimeout)")
    }
}
