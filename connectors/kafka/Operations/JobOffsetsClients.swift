import Logging
import RdKafka
import Sluice

/// The clients ``JobOffsets`` works through for one call: a consumer in the job's group that
/// never subscribes (it reads and commits the group's offsets without joining it), a consumer
/// without a group that reads partitions, and an admin client that describes the group.
final class JobOffsetsClients {
    let bootstrapServers: String
    let timeout: Duration
    let group: KafkaConsumer
    let timestamps: TimestampOffsetFinder
    private let reader: PartitionReader
    private let readerConsumer: KafkaConsumer
    private let admin: KafkaAdmin
    private var boundsCache: [Split: (low: Int64, end: Int64)] = [:]

    /// The topics a call works on.
    struct Layout {
        /// The partitions of the job's input topics.
        var inputs: [Split]
        /// The job's internal topics.
        var `internal`: JobTopicLayout
        /// The group's committed offsets of every input, repartition and checkpoint partition.
        var committed: [Split: Int64]
        /// Partition counts of the input topics.
        var partitionCounts: [String: Int]
    }

    init(bootstrapServers: String, properties: [String: String], timeout: Duration, group job: String, logger: Logger) throws {
        self.bootstrapServers = bootstrapServers
        self.timeout = timeout
        var client = KafkaConfiguration(bootstrapServers: bootstrapServers)
        client.properties = properties
        let failed = { (what: String, error: KafkaError) in
            JobOffsetsError.kafkaFailed(bootstrap: bootstrapServers, operation: what, reason: error.message)
        }
        do {
            group = try KafkaConsumer(
                configuration: ConsumerConfiguration(client: client, groupID: job, isolationLevel: .readUncommitted), logger: logger)
            readerConsumer = try PartitionReader.makeConsumer(bootstrapServers: bootstrapServers, properties: properties, logger: logger)
            admin = try KafkaAdmin(configuration: client, logger: logger)
        } catch let error as KafkaError {
            throw failed("creating clients", error)
        }
        reader = PartitionReader(consumer: readerConsumer, bootstrapServers: bootstrapServers, timeout: timeout)
        timestamps = TimestampOffsetFinder(groupConsumer: group, reader: reader, timeout: timeout)
    }

    func close() {
        group.close()
        readerConsumer.close()
    }

    /// The job's input partitions (`topics`, else the topics its group committed offsets of,
    /// leaving out internal topics), its internal topics, and the group's committed offsets.
    func layout(job: String, topics: [String]?, stages: Int?) throws -> Layout {
        let all: [String]
        do {
            all = try group.listTopics(timeout: timeout)
        } catch let error as KafkaError {
            // The first request: when it fails, the brokers are down, elsewhere, or refuse us.
            throw JobOffsetsError.unreachable(bootstrap: bootstrapServers, reason: error.message)
        }
        var counts: [String: Int] = [:]
        func partitions(_ topic: String) throws -> Int {
            if let count = counts[topic] { return count }
            let count = try kafka("describing topic \(topic)") { try group.describeTopic(topic, timeout: timeout).partitions.count }
            counts[topic] = count
            return count
        }
        let internalTopics = try JobTopicLayout(job: job, topics: all, stages: stages, partitions: partitions)
        let candidates: [String]
        if let topics {
            let known = Set(all)
            if let missing = topics.first(where: { !known.contains($0) }) {
                throw JobOffsetsError.unknownTopic(topic: missing, bootstrap: bootstrapServers)
            }
            candidates = Array(Set(topics)).sorted()
        } else {
            candidates = all.filter { internalTopics.names.stage(of: $0) == nil && !$0.hasPrefix("__") }
        }
        var splits: [Split] = []
        for topic in candidates {
            splits += (0..<(try partitions(topic))).map { Split(topic: topic, partition: Int32($0)) }
        }
        let internalSplits = internalTopics.repartitionSplits + internalTopics.tasks.map(internalTopics.names.checkpointSplit(of:))
        var committed: [Split: Int64] = [:]
        let asked = splits + internalSplits
        if !asked.isEmpty {
            let offsets = try kafka("reading the committed offsets of group \(job)") {
                try group.committed(asked.map { TopicPartition($0.topic, $0.partition) }, timeout: timeout)
            }
            for offset in offsets where offset.offset >= 0 {
                committed[Split(topic: offset.topic, partition: offset.partition)] = offset.offset
            }
        }
        let inputTopics = topics != nil ? Set(candidates) : Set(splits.filter { committed[$0] != nil }.map(\.topic))
        return Layout(
            inputs: splits.filter { inputTopics.contains($0.topic) }, internal: internalTopics, committed: committed,
            partitionCounts: counts.filter { inputTopics.contains($0.key) })
    }

    /// The group as its coordinator describes it.
    func describeGroup(_ job: String) throws -> ConsumerGroupDescription {
        try kafka("describing consumer group \(job)") { try admin.describeConsumerGroup(job, timeout: timeout) }
    }

    /// The first offset in `split` and its end, read (not the high watermark).
    func bounds(_ split: Split) throws -> (low: Int64, end: Int64) {
        if let known = boundsCache[split] { return known }
        let found = try kafka("reading the end of \(split)") {
            let marks = try reader.watermarks(of: split)
            return (marks.low, try reader.end(of: split, marks: marks))
        }
        boundsCache[split] = found
        return found
    }

    /// Runs `body`, naming the brokers and `operation` in a librdkafka error, and the
    /// partition in a read that failed.
    func kafka<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KafkaError {
            throw JobOffsetsError.kafkaFailed(bootstrap: bootstrapServers, operation: operation, reason: error.message)
        } catch let error as PartitionReadError {
            switch error {
            case .unreachable:
                throw JobOffsetsError.unreachable(bootstrap: error.bootstrap, reason: "\(error.operation): \(error.reason)")
            case .failed:
                throw JobOffsetsError.kafkaFailed(bootstrap: error.bootstrap, operation: error.operation, reason: error.reason)
            }
        }
    }
}
