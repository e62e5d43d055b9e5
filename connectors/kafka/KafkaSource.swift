import Logging
import RdKafka
import Sluice

/// Reads Kafka topics into a job through its runtime's consumer, as a member of the job's
/// consumer group (group id = job name). Make it with ``KafkaRuntime/source(topics:startingOffsets:ending:)``.
///
/// It is both the job's `Source` (one split per topic partition, records as
/// `SourceRecord`) and its `Membership`: the group coordinator assigns partitions with the
/// cooperative-sticky strategy, and librdkafka's rebalance callbacks, which run inside
/// ``poll(maxRecords:timeout:into:)`` on the driver thread, are reported to the runtime's
/// `MembershipListener`. As an `InternalTopicSource` it also reads the job's repartition
/// topics, so one consumer per worker serves input and exchanges and the group spreads both
/// over the workers.
public final class KafkaSource: Source, Membership, InternalTopicSource, RuntimeBound, SplitOffsetsReporting,
    @unchecked Sendable {
    /// Kafka records, undecoded; `StreamEnvironment.fromSource(_:deserializer:watermarks:)` decodes them.
    public typealias Element = SourceRecord

    /// The topics read; a name starting with `^` is a regular expression.
    public let topics: [String]
    /// Where partitions start.
    public let startingOffsets: KafkaStartingOffsets
    /// Where the source ends.
    public let ending: KafkaSourceEnd
    private let kafka: KafkaRuntime
    let bridge: RebalanceBridge
    private var consumer: KafkaConsumer?
    private let logger: Logger

    init(runtime: KafkaRuntime, topics: [String], startingOffsets: KafkaStartingOffsets, ending: KafkaSourceEnd, logger: Logger) {
        kafka = runtime
        self.topics = topics
        self.startingOffsets = startingOffsets
        self.ending = ending
        self.logger = logger
        bridge = RebalanceBridge(startingOffsets: startingOffsets, capturesEnds: ending.isBounded)
    }

    /// The runtime whose consumer reads this source.
    public var runtime: any JobRuntime { kafka }

    /// The topics, for plans and messages.
    public var name: String { topics.joined(separator: ",") }

    /// Whether the source ends (``ending``).
    public var isBounded: Bool { ending.isBounded }

    /// Reads through `consumer` from now on; the runtime's worker calls this when it opens.
    func attach(_ consumer: KafkaConsumer) {
        self.consumer = consumer
    }

    private func requireConsumer() throws -> KafkaConsumer {
        guard let consumer else {
            throw KafkaError(code: -172, name: "_STATE", message: "the source \(name) is read only while its job runs")
        }
        return consumer
    }

    /// Every partition of the subscribed topics (pattern subscriptions: of the topics that
    /// exist and match now).
    public func splits() throws -> [Split] {
        var out: [Split] = []
        for topic in try resolvedTopics() {
            let description = try kafka.describeTopic(topic)
            out += description.partitions.map { Split(topic: topic, partition: $0.id) }
        }
        return out.sorted()
    }

    private func resolvedTopics() throws -> [String] {
        let patterns = topics.filter { $0.hasPrefix("^") }
        var names = topics.filter { !$0.hasPrefix("^") }
        if !patterns.isEmpty {
            let all = try kafka.listTopics()
            for pattern in patterns {
                let regex = try Regex(pattern)
                names += try all.filter { try regex.wholeMatch(in: $0) != nil }
            }
        }
        return Array(Set(names)).sorted()
    }

    // MARK: Membership

    /// Subscribes to the topics; assignments arrive from inside ``poll(maxRecords:timeout:into:)``.
    public func join(listener: MembershipListener, available: [Split]) throws {
        bridge.listener = listener
        try requireConsumer().subscribe(topics: topics + bridge.internalTopics.sorted())
    }

    /// Reads `topics` too from the next ``join(listener:available:)``; see `InternalTopicSource`.
    public func subscribeInternalTopics(_ topics: [String]) throws {
        bridge.internalTopics.formUnion(topics)
    }

    /// Leaves the group (or, as the runtime decides, keeps a static member's place for a
    /// restart): librdkafka revokes the remaining partitions through the listener (which
    /// checkpoints them) and closes the consumer.
    public func leave() throws {
        if let consumer { kafka.endMembership(of: consumer) }
        try bridge.rethrow()
    }

    /// Whether librdkafka reports the assignment lost (session expired, member fenced).
    public var assignmentLost: Bool { consumer?.assignmentLost ?? false }

    /// The group's session timeout, from the consumer properties (librdkafka's default 45 s).
    public var sessionTimeout: Duration? { kafka.sessionTimeout }

    // MARK: Source

    /// Partitions are assigned by the group; librdkafka adds them after the listener returns.
    public func assign(_ splits: [Split]) throws {}

    /// Starts `split` at `offset` when it is added (called by the runtime while it handles an
    /// assignment, e.g. to restore a checkpoint), or moves it if already reading. A bounded
    /// split that had ended is read again from there.
    public func seek(_ split: Split, to offset: Int64) throws {
        let partition = TopicPartition(split.topic, split.partition)
        if bridge.isAssigning {
            bridge.pendingStarts[partition] = offset
            return
        }
        if bridge.ended.remove(partition) != nil {
            try requireConsumer().resume([partition])
        }
        if bridge.ends[partition] != nil {
            bridge.next[partition] = nil
            bridge.starts[partition] = offset
        }
        try requireConsumer().seek([TopicPartitionOffset(split.topic, split.partition, offset: offset)])
    }

    /// librdkafka removes revoked partitions after the listener returns.
    public func revoke(_ splits: [Split]) throws {}

    /// Appends the records of one consumer poll. Each record is built once, its key and value
    /// copied straight out of librdkafka's buffer (one `memcpy` each) and its headers read in
    /// place; records collect in concrete arrays per run of one partition, and each run joins
    /// the batch as one chunk, so the generic batch is touched once per run, not per record.
    public func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<SourceRecord>) throws {
        let bounded = ending.isBounded
        let endTime: Int64? = if case .timestamp(let instant) = ending { instant } else { nil }
        var run = ChunkRun()
        let consumer = try requireConsumer()
        do {
            try consumer.poll(maxRecords: maxRecords, timeout: timeout) { record in
                // Internal topics never end by offsets (see InternalTopicSource).
                if bounded, !bridge.internalTopics.contains(record.topic) {
                    let partition = TopicPartition(record.topic, record.partition)
                    guard let end = bridge.ends[partition], record.offset < end else { return }
                    if let endTime, let timestamp = record.timestamp, timestamp >= endTime {
                        // The partition ends before this record: it stays unhandled and uncommitted.
                        bridge.ends[partition] = record.offset
                        return
                    }
                    bridge.next[partition] = record.offset + 1
                }
                var headers: [RecordHeader] = []
                record.forEachHeader { name, value in
                    headers.append(RecordHeader(key: name, value: value.map { Array($0) } ?? []))
                }
                let timestamp = record.timestamp ?? 0
                run.append(
                    SourceRecord(
                        topic: record.topic, partition: record.partition, offset: record.offset, timestamp: timestamp,
                        key: record.copyKey(), value: record.copyValue(), headers: headers),
                    into: &batch)
            }
        } catch {
            throw kafka.identified(error, consumer: consumer)
        }
        run.flush(into: &batch)
        try bridge.rethrow()
        if bounded { try markEnded(in: &batch) }
    }

    /// Reports each partition that reached its end offset, once, and stops fetching it.
    private func markEnded(in batch: inout SourceBatch<SourceRecord>) throws {
        var ended: [TopicPartition] = []
        for (partition, end) in bridge.ends where !bridge.ended.contains(partition) {
            let next = bridge.next[partition] ?? bridge.starts[partition] ?? KafkaOffset.invalid
            if next >= end || end == 0 {
                ended.append(partition)
            }
        }
        guard !ended.isEmpty else { return }
        try requireConsumer().pause(ended)
        for partition in ended {
            bridge.ended.insert(partition)
            batch.markEnded(Split(topic: partition.topic, partition: partition.partition))
        }
    }

    /// Closes the consumer (leaving the group if still a member).
    public func close() {
        consumer?.close()
    }

    // MARK: Lag

    /// Per assigned partition, the high watermark of the consumer's latest fetch response and
    /// its fetch position, both kept by librdkafka: no broker round trip.
    public func splitOffsets(_ splits: [Split]) -> [Split: SplitOffsets] {
        guard let consumer else { return [:] }
        let partitions = splits.map { TopicPartition($0.topic, $0.partition) }
        var positions: [TopicPartition: Int64] = [:]
        if let read = try? consumer.position(partitions) {
            for entry in read where entry.offset >= 0 { positions[entry.topicPartition] = entry.offset }
        }
        var out: [Split: SplitOffsets] = [:]
        for (split, partition) in zip(splits, partitions) {
            guard let marks = consumer.cachedWatermarks(partition) else { continue }
            out[split] = SplitOffsets(end: marks.high, position: positions[partition])
        }
        return out
    }
}

/// The records of one partition that arrived in a row in a poll, in concrete arrays, until they
/// join the batch as one chunk.
struct ChunkRun {
    private var split: Split?
    private var values: [SourceRecord] = []
    private var offsets: [Int64] = []
    private var timestamps: [Int64] = []

    /// Adds `record`; a record of another partition first moves the run into `batch`.
    mutating func append(_ record: SourceRecord, into batch: inout SourceBatch<SourceRecord>) {
        if let split, split.partition != record.partition || split.topic != record.topic {
            flush(into: &batch)
        }
        if split == nil { split = record.split }
        offsets.append(record.offset)
        timestamps.append(record.timestamp)
        values.append(record)
    }

    /// Moves the run into `batch` as one chunk and starts an empty one.
    mutating func flush(into batch: inout SourceBatch<SourceRecord>) {
        guard let split, !values.isEmpty else { return }
        batch.append(SourceBatch.Chunk(split: split, values: values, offsets: offsets, timestamps: timestamps))
        self.split = nil
        values = []
        offsets = []
        timestamps = []
    }
}

/// Turns librdkafka's rebalance callbacks into ``MembershipListener`` calls.
///
/// Runs on the driver thread only (inside the consumer's poll or close), so its state needs
/// no lock. A listener error cannot cross librdkafka's C callback; it is kept and rethrown
/// by the next poll.
final class RebalanceBridge: RebalanceListener, @unchecked Sendable {
    var listener: MembershipListener?
    var isAssigning = false
    var pendingStarts: [TopicPartition: Int64] = [:]
    /// Bounded runs: the end offset captured at assignment, the first offset of each
    /// partition (resolved from the committed offset or the reset policy), the next offset
    /// after the last record handed out, and the partitions already reported ended.
    var ends: [TopicPartition: Int64] = [:]
    var starts: [TopicPartition: Int64] = [:]
    var next: [TopicPartition: Int64] = [:]
    var ended: Set<TopicPartition> = []
    /// The job's repartition topics, read next to the source's own topics.
    var internalTopics: Set<String> = []
    private var failure: Error?
    private let startingOffsets: KafkaStartingOffsets
    private let capturesEnds: Bool

    init(startingOffsets: KafkaStartingOffsets, capturesEnds: Bool) {
        self.startingOffsets = startingOffsets
        self.capturesEnds = capturesEnds
    }

    func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) -> [TopicPartition: Int64] {
        pendingStarts = [:]
        for partition in partitions { ended.remove(partition) }
        switch startingOffsets {
        case .earliest: for p in partitions { pendingStarts[p] = KafkaOffset.beginning }
        case .latest: for p in partitions { pendingStarts[p] = KafkaOffset.end }
        case .committedOrEarliest, .committedOrLatest: break
        }
        isAssigning = true
        defer { isAssigning = false }
        do {
            let internalPartitions = partitions.filter { internalTopics.contains($0.topic) }
            if !internalPartitions.isEmpty { try startInternal(internalPartitions, consumer: consumer) }
            try listener?.splitsAssigned(partitions.map { Split(topic: $0.topic, partition: $0.partition) })
            if capturesEnds {
                try captureEnds(partitions.filter { !internalTopics.contains($0.topic) }, consumer: consumer)
            }
        } catch {
            failure = failure ?? error
        }
        return pendingStarts
    }

    /// Internal partitions start at the committed offset, else at the beginning, whatever the
    /// source's starting offsets: skipping their records would lose data, replaying committed
    /// ones would count them twice.
    private func startInternal(_ partitions: [TopicPartition], consumer: KafkaConsumer) throws {
        for partition in partitions { pendingStarts[partition] = nil }
        // The consumer's reset policy already falls back to the beginning.
        guard startingOffsets != .committedOrEarliest else { return }
        let committed = try consumer.committed(partitions)
        for entry in committed where entry.offset < 0 {
            pendingStarts[entry.topicPartition] = KafkaOffset.beginning
        }
    }

    /// Where each newly assigned partition ends, and where it starts, so a partition with
    /// nothing left to read can be reported ended before any record arrives.
    private func captureEnds(_ partitions: [TopicPartition], consumer: KafkaConsumer) throws {
        let committed = Dictionary(
            try consumer.committed(partitions).map { ($0.topicPartition, $0.offset) }, uniquingKeysWith: { a, _ in a })
        for partition in partitions {
            let marks = try consumer.watermarks(partition)
            ends[partition] = marks.high
            let start = pendingStarts[partition] ?? committed[partition] ?? KafkaOffset.invalid
            switch start {
            case KafkaOffset.end: starts[partition] = marks.high
            case KafkaOffset.beginning: starts[partition] = marks.low
            case KafkaOffset.invalid:
                starts[partition] = startingOffsets == .committedOrLatest ? marks.high : marks.low
            default: starts[partition] = start
            }
        }
    }

    func partitionsRevoked(_ partitions: [TopicPartition], consumer: KafkaConsumer) {
        forget(partitions)
        do {
            try listener?.splitsRevoked(partitions.map { Split(topic: $0.topic, partition: $0.partition) })
        } catch {
            failure = failure ?? error
        }
    }

    func partitionsLost(_ partitions: [TopicPartition], consumer: KafkaConsumer) {
        forget(partitions)
        do {
            try listener?.splitsLost(partitions.map { Split(topic: $0.topic, partition: $0.partition) })
        } catch {
            failure = failure ?? error
        }
    }

    /// Drops the bounded-run bookkeeping of partitions that leave this member.
    private func forget(_ partitions: [TopicPartition]) {
        for partition in partitions {
            ends[partition] = nil
            starts[partition] = nil
            next[partition] = nil
            ended.remove(partition)
        }
    }

    func rethrow() throws {
        if let failure {
            self.failure = nil
            throw failure
        }
    }
}
