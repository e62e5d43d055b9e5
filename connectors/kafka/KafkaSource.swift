import Logging
import RdKafka
import Sluice

/// Reads Kafka topics into a job through its runtime's consumer, as a member of the job's
/// consumer group (group id = job name). Make it with ``KafkaRuntime/source(topics:startingOffsets:ending:)``.
///
/// It is both the job's `Source` (one split per topic partition, records as
/// `SourceRecord`) and its `Membership`: the group coordinator assigns partitions with the
/// cooperative-sticky strategy. The consumer **defers** its rebalances: librdkafka's callback,
/// which runs inside ``poll(maxRecords:timeout:into:)``, only records the change; the worker
/// takes it after the poll (``takeChanges()``), builds and restores the tasks of assigned
/// partitions, and only then starts reading them (``assign(_:)``), or checkpoints before it lets
/// revoked ones go (``revoke(_:)``). Nothing of the engine runs inside a librdkafka callback. As
/// an `InternalTopicSource` it also reads the job's repartition topics, so one consumer per
/// worker serves input and exchanges and the group spreads both over the workers. The splits of
/// the job's other sources (files) are assigned through the group too (``HostedSplits``).
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
    private var consumer: KafkaConsumer?
    private let logger: Logger
    /// The job's repartition topics, read next to the source's own topics.
    private var internalTopics: Set<String> = []
    /// Bounded runs: where each partition ends and how far it was read.
    private var bounds = PartitionBounds()
    /// Partitions whose assignment or revocation the worker has taken but not completed yet.
    private var awaitingStart: Set<TopicPartition> = []
    private var awaitingRelease: Set<TopicPartition> = []
    /// The job's other sources' splits, which the group assigns to this member too.
    private var hosted = HostedSplits()
    /// Whether this source only holds the job's group membership for its other sources: the
    /// worker never polls it, so it polls its consumer when asked for changes.
    private let membershipOnly: Bool

    init(runtime: KafkaRuntime, topics: [String], startingOffsets: KafkaStartingOffsets, ending: KafkaSourceEnd, logger: Logger,
         membershipOnly: Bool = false) {
        kafka = runtime
        self.topics = topics
        self.startingOffsets = startingOffsets
        self.ending = ending
        self.logger = logger
        self.membershipOnly = membershipOnly
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
            throw KafkaConnectorError.notRunning("the source \(name)")
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

    /// Subscribes to the topics, and to a topic standing for each of the job's other sources
    /// (created when missing, with a partition per split: ``HostedSplits``); the group's
    /// assignment arrives as changes after a poll.
    public func join(available: [Split]) throws {
        let standIns = hosted.note(available: available, ownTopics: Set(try splits().map(\.topic)))
        if !standIns.isEmpty { try kafka.ensureSplitTopics(standIns) }
        try requireConsumer().subscribe(topics: topics + internalTopics.sorted() + hosted.topics.sorted())
    }

    /// Reads `topics` too from the next ``join(available:)``; see `InternalTopicSource`.
    public func subscribeInternalTopics(_ topics: [String]) throws {
        internalTopics.formUnion(topics)
    }

    /// The changes librdkafka's rebalance callbacks recorded since the last call. A change that
    /// moves no partition of this member is completed at once: the group waits for it all the
    /// same.
    ///
    /// Partitions standing for other sources' splits are completed at once and paused: this
    /// consumer never reads them; their revocations are completed once the worker let the
    /// splits go. A source that only holds the membership polls its consumer first, which is
    /// when librdkafka reports rebalances.
    public func takeChanges() throws -> [MembershipChange] {
        guard let consumer else { return [] }
        if membershipOnly {
            try completeUnclaimedChanges(consumer)
            do {
                _ = try consumer.poll(maxRecords: 1, timeout: .zero) { _ in }
            } catch {
                throw kafka.identified(error, consumer: consumer)
            }
        }
        return try consumer.takeRebalanceChanges().map { change in
            if change.partitions.isEmpty {
                switch change.kind {
                case .assigned: try consumer.completeAssignment([])
                case .revoked, .lost: try consumer.completeRevocation([])
                }
            }
            let splits = change.partitions.map { Split(topic: $0.topic, partition: $0.partition) }
            switch change.kind {
            case .assigned:
                let standIns = change.partitions.filter(hosted.contains)
                if !standIns.isEmpty {
                    try consumer.completeAssignment(standIns.map { TopicPartitionOffset($0.topic, $0.partition, offset: KafkaOffset.end) })
                    try consumer.pause(standIns)
                }
                awaitingStart.formUnion(change.partitions.filter { !hosted.contains($0) })
                return .assigned(splits)
            case .revoked:
                awaitingRelease.formUnion(change.partitions)
                return .revoked(splits)
            case .lost:
                awaitingRelease.formUnion(change.partitions)
                return .lost(splits)
            }
        }
    }

    /// Leaves the group, or, as the runtime decides (``KafkaRuntime/leavesGroupOnStop``), keeps
    /// a static member's place for a restart; the worker made its final checkpoint and let its
    /// partitions go before.
    public func leave() throws {
        if let consumer { kafka.endMembership(of: consumer) }
    }

    /// Whether librdkafka is running the consumer's rebalance callback right now.
    var isInRebalanceCallback: Bool { consumer?.isInRebalanceCallback ?? false }

    /// Whether librdkafka reports the assignment lost (session expired, member fenced).
    public var assignmentLost: Bool { consumer?.assignmentLost ?? false }

    /// The group's session timeout, from the consumer properties (librdkafka's default 45 s).
    public var sessionTimeout: Duration? { kafka.sessionTimeout }

    // MARK: Source

    /// Starts fetching assigned partitions: each at its checkpoint's position, else input
    /// partitions where ``startingOffsets`` says and internal partitions at the group's committed
    /// offset, or the beginning when none is committed (skipping their records would lose data,
    /// replaying committed ones would count them twice). Bounded runs capture each input
    /// partition's end offset now.
    public func assign(_ splits: [SplitStart]) throws {
        let consumer = try requireConsumer()
        var offsets: [TopicPartition: Int64] = [:]
        var internalWithoutPosition: [TopicPartition] = []
        for start in splits {
            let partition = TopicPartition(start.split.topic, start.split.partition)
            if let position = start.position {
                offsets[partition] = position
            } else if internalTopics.contains(partition.topic) {
                offsets[partition] = KafkaOffset.invalid
                internalWithoutPosition.append(partition)
            } else {
                offsets[partition] = switch startingOffsets {
                case .earliest: KafkaOffset.beginning
                case .latest: KafkaOffset.end
                case .committedOrEarliest, .committedOrLatest: KafkaOffset.invalid
                }
            }
        }
        // The consumer's reset policy already falls back to the beginning.
        if !internalWithoutPosition.isEmpty, startingOffsets != .committedOrEarliest {
            for entry in try consumer.committed(internalWithoutPosition) where entry.offset < 0 {
                offsets[entry.topicPartition] = KafkaOffset.beginning
            }
        }
        if ending.isBounded {
            let inputs = offsets.filter { !internalTopics.contains($0.key.topic) }
            try bounds.capture(inputs, consumer: consumer, startsAtLatestWithoutCommit: startingOffsets == .committedOrLatest)
        }
        try consumer.completeAssignment(offsets.sorted { $0.key < $1.key }.map {
            TopicPartitionOffset($0.key.topic, $0.key.partition, offset: $0.value)
        })
        awaitingStart.subtract(offsets.keys)
    }

    /// Moves an assigned partition (a task rewound to its checkpoint). A bounded partition that
    /// had ended is read again from there.
    public func seek(_ split: Split, to offset: Int64) throws {
        let partition = TopicPartition(split.topic, split.partition)
        let consumer = try requireConsumer()
        guard !consumer.isInRebalanceCallback else {
            throw KafkaConnectorError.insideRebalanceCallback("seeking \(split)")
        }
        if bounds.restart(partition, at: offset) {
            try consumer.resume([partition])
        }
        try consumer.seek([TopicPartitionOffset(split.topic, split.partition, offset: offset)])
    }

    /// Lets revoked or lost partitions go: the group may hand them to another member now.
    public func revoke(_ splits: [Split]) throws {
        let partitions = splits.map { TopicPartition($0.topic, $0.partition) }
        bounds.forget(partitions)
        try requireConsumer().completeRevocation(partitions)
        awaitingRelease.subtract(partitions)
    }

    /// Completes changes the worker left alone (partitions of no task of this job, such as a
    /// topic a pattern matched after the job started): assignments paused, never read;
    /// revocations at once, and those of other sources' splits, which the worker has let go by
    /// now.
    private func completeUnclaimedChanges(_ consumer: KafkaConsumer) throws {
        if !awaitingStart.isEmpty {
            let unclaimed = awaitingStart.sorted()
            awaitingStart = []
            logger.info("\(name): not reading \(unclaimed.map(\.description).joined(separator: ", ")): no task of this job reads them")
            try consumer.completeAssignment(unclaimed.map { TopicPartitionOffset($0.topic, $0.partition, offset: KafkaOffset.invalid) })
            try consumer.pause(unclaimed)
        }
        if !awaitingRelease.isEmpty {
            let unclaimed = awaitingRelease.sorted()
            awaitingRelease = []
            try consumer.completeRevocation(unclaimed)
        }
    }

    /// Appends the records of one consumer poll. Each record is built once, its key and value
    /// copied straight out of librdkafka's buffer (one `memcpy` each) and its headers read in
    /// place; records collect in concrete arrays per run of one partition, and each run joins
    /// the batch as one chunk, so the generic batch is touched once per run, not per record.
    public func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<SourceRecord>) throws {
        let consumer = try requireConsumer()
        try completeUnclaimedChanges(consumer)
        let bounded = ending.isBounded
        let endTime: Int64? = if case .timestamp(let instant) = ending { instant } else { nil }
        var run = ChunkRun()
        do {
            try consumer.poll(maxRecords: maxRecords, timeout: timeout) { record in
                // Internal topics never end by offsets (see InternalTopicSource).
                if bounded, !internalTopics.contains(record.topic) {
                    let partition = TopicPartition(record.topic, record.partition)
                    guard bounds.admits(partition, offset: record.offset, timestamp: record.timestamp, endTime: endTime) else { return }
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
        if bounded {
            let ended = bounds.takeEnded()
            guard !ended.isEmpty else { return }
            try consumer.pause(ended)
            for partition in ended { batch.markEnded(Split(topic: partition.topic, partition: partition.partition)) }
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
