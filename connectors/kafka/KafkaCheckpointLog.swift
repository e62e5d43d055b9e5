import Foundation
import Logging
import RdKafka
import Sluice

/// The checkpoint topics of a Kafka job (`<job>-<stage>-checkpoints`, compacted): appends go
/// through the worker's producer, inside its transaction; reads go through a
/// ``PartitionReader`` of their own that reads exact offsets with `read_uncommitted`, so a
/// transaction left open by a crashed or paused worker never blocks a restore. What is read is
/// what a committed manifest names.
///
/// A read that cannot be done throws ``PartitionReadError`` (`cannot reach Kafka at <address>
/// while reading <topic>[<partition>] …` when no broker answers), which a worker's restart
/// strategy retries; what was read and is missing or wrong is for the engine to judge.
final class KafkaCheckpointLog: CheckpointLog, @unchecked Sendable {
    private let producer: WorkerProducer
    private let topics: InternalTopicAdmin
    private let reader: PartitionReader

    /// - Parameter readTimeout: how long a read may go on without progress before Kafka counts
    ///   as unreachable.
    init(producer: WorkerProducer, topics: InternalTopicAdmin, bootstrapServers: String, properties: [String: String],
         readTimeout: Duration = .seconds(30), logger: Logger = Logger(label: "sluice.checkpoints")) throws {
        self.producer = producer
        self.topics = topics
        reader = PartitionReader(
            consumer: try PartitionReader.makeConsumer(bootstrapServers: bootstrapServers, properties: properties, logger: logger),
            bootstrapServers: bootstrapServers, timeout: readTimeout)
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
        try reader.read(split, from: from, through: through)
    }

    func readToEnd(_ split: Split, from: Int64) throws -> [CheckpointLogRecord] {
        try reader.readToEnd(split, from: from)
    }
}
