import Foundation

/// Reads every partition of a topic from its leader with read_uncommitted Fetch requests and
/// classifies the batches itself (``PartitionAudit``): KIP-98's read_committed rule without
/// the broker's aborted index, which some brokers do not keep (Tansu's memory store reports
/// no aborted transactions).
public struct TopicAuditor {
    private let client: KafkaLogClient

    /// Fetch answers that bring nothing new below the high watermark before the read is an
    /// error.
    static let stallLimit = 20
    /// The byte limit of a fetch; doubled (to ``largestFetch``) while a batch does not fit.
    static let firstFetch: Int32 = 8 << 20
    static let largestFetch: Int32 = 1 << 30

    /// An auditor reading through `client`.
    public init(client: KafkaLogClient) {
        self.client = client
    }

    /// Audits `topic`.
    ///
    /// - Throws: ``KafkaLogError``.
    public func audit(topic: String) throws -> TopicAudit {
        let partitions = try client.partitions(of: topic)
        return TopicAudit(topic: topic, partitions: try partitions.map { try audit(topic: topic, partition: $0) })
    }

    /// Reads one partition from its earliest offset until a fetch at or beyond both the high
    /// watermark and the latest offset brings nothing new. The high watermark alone is not
    /// trusted as the end: Tansu's ListOffsets reports the last batch's base offset + 1, and
    /// one more empty fetch is cheap insurance that its Fetch answer never cuts the last batch
    /// the same way.
    private func audit(topic: String, partition first: KafkaLogClient.PartitionLeader) throws -> PartitionAudit {
        var partition = first
        var leaderMoves = 0
        /// Runs a request to the partition's leader; when the leader moved, finds the new one
        /// and asks again.
        func toLeader<T>(_ request: (KafkaLogClient.PartitionLeader) throws -> T) throws -> T {
            while true {
                do {
                    return try request(partition)
                } catch KafkaLogError.brokerError(_, _, _, _, let code) where KafkaErrorCode.isRetriable(code) && leaderMoves < Self.stallLimit {
                    leaderMoves += 1
                    usleep(200_000)
                    let id = partition.partition
                    partition = try client.partitions(of: topic).first { $0.partition == id } ?? partition
                }
            }
        }
        let latest = try toLeader { try client.latestOffset(topic: topic, partition: $0) }
        var offset = try toLeader { try client.earliestOffset(topic: topic, partition: $0) }
        var batches: [RecordBatch] = []
        var maxBytes = Self.firstFetch
        var stalls = 0
        var restarts = 0
        while true {
            let next = offset, limit = maxBytes
            guard let answer = try toLeader({ try client.fetch(topic: topic, partition: $0, offset: next, maxBytes: limit) }) else {
                // Records were deleted between ListOffsets and Fetch: start again from the new start.
                restarts += 1
                guard restarts <= Self.stallLimit else {
                    throw KafkaLogError.brokerError(
                        address: client.bootstrap, request: "Fetch", topic: topic, partition: partition.partition,
                        code: KafkaErrorCode.offsetOutOfRange)
                }
                offset = try toLeader { try client.earliestOffset(topic: topic, partition: $0) }
                batches.removeAll()
                continue
            }
            let before = offset
            // A compressed batch comes whole even when the fetch starts inside it.
            for batch in answer.batches where batch.lastOffset >= offset {
                batches.append(batch)
                offset = batch.lastOffset + 1
            }
            if offset > before {
                stalls = 0
                continue
            }
            if answer.endsInPartialBatch && maxBytes < Self.largestFetch {
                maxBytes *= 2
                continue
            }
            if offset >= max(answer.highWatermark, latest) && !answer.endsInPartialBatch {
                return PartitionAudit(partition: partition.partition, batches: batches, highWatermark: answer.highWatermark)
            }
            stalls += 1
            guard stalls <= Self.stallLimit else {
                throw KafkaLogError.noProgress(
                    topic: topic, partition: partition.partition, offset: offset, highWatermark: answer.highWatermark)
            }
            usleep(50_000)
        }
    }
}
