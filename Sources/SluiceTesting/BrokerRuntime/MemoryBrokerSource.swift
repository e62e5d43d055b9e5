import Sluice

/// A worker's consumer on a ``MemoryBroker``: the job's source of its input topics and of its
/// internal (repartition) topics, and the worker's `Membership` in the job's consumer group
/// (``MemoryConsumerGroup``). Make it with ``MemoryBrokerRuntime/source(topics:ending:maxRecordsPerSplit:)``.
///
/// It only reports: the group records assignments, revokes and losses, and the worker takes
/// them between polls. An assigned split starts where the worker says (its checkpoint), else
/// at the group's committed offset, else at the earliest record; a split the worker lets go is
/// released to the group, which hands revoked ones to their new owner. Records come as the
/// broker's ``MemoryBroker/ReadIsolation`` hands them out: with every record by default, so
/// those of open and aborted transactions reach the job's exchanges.
///
/// The splits of the job's other sources (a file source's) are assigned through the group too,
/// as `KafkaRuntime` assigns them: each stands as a partition of a topic named after the split's
/// topic, created with a partition per split, which this source never reads.
public final class MemoryBrokerSource: Source, InternalTopicSource, Membership, RuntimeBound, @unchecked Sendable {
    /// Kafka-like records.
    public typealias Element = SourceRecord

    /// The input topics.
    public let topics: [String]
    /// Where its input splits end.
    public let ending: MemorySourceEnd
    private unowned let owner: MemoryBrokerRuntime
    private let maxRecordsPerSplit: Int?
    private var internalTopics: [String] = []
    /// Topics standing for the job's other sources' splits.
    private var hostedTopics: Set<String> = []
    /// Other sources' splits taken away from this member, let go to the group at the next call
    /// for changes: the worker has checkpointed and released them by then.
    private var releasing: [Split] = []
    private var member: (group: MemoryConsumerGroup, id: String)?
    private var positions: [Split: Int64] = [:]
    private var ends: [Split: Int64] = [:]
    private var endReported: Set<Split> = []
    /// Records handed out and splits reported ended, for a driver telling whether a round moved.
    private(set) var delivered = 0

    init(runtime: MemoryBrokerRuntime, topics: [String], ending: MemorySourceEnd, maxRecordsPerSplit: Int?) {
        owner = runtime
        self.topics = topics
        self.ending = ending
        self.maxRecordsPerSplit = maxRecordsPerSplit
    }

    /// The topics, comma-separated.
    public var name: String { topics.joined(separator: ",") }

    /// Whether the job stops by itself (``MemorySourceEnd/atEndOffsets``).
    public var isBounded: Bool { ending == .atEndOffsets }

    /// The runtime that made it.
    public var runtime: any JobRuntime { owner }

    /// Every partition of the input topics; a topic the broker does not have is an error.
    public func splits() throws -> [Split] {
        try topics.flatMap { topic in
            guard let count = owner.broker.partitionCount(topic) else { throw MemoryBrokerError.unknownTopic(topic) }
            return (0..<count).map { Split(topic: topic, partition: Int32($0)) }
        }
    }

    /// Subscribes to the job's internal topics too.
    public func subscribeInternalTopics(_ topics: [String]) {
        internalTopics = topics
    }

    func attach(group: MemoryConsumerGroup, member id: String) {
        member = (group, id)
    }

    // MARK: Membership

    /// Joins the job's group, subscribed to the input and internal topics and to a topic
    /// standing for each of the job's other sources (created when missing).
    public func join(available: [Split]) throws {
        try owner.process.checkAlive()
        guard let member else { throw MemoryBrokerError.noSource(worker: owner.workerID) }
        var standIns: [String: Int] = [:]
        for split in available where !topics.contains(split.topic) {
            standIns[split.topic] = max(standIns[split.topic] ?? 0, Int(split.partition) + 1)
        }
        for (topic, partitions) in standIns.sorted(by: { $0.key < $1.key }) {
            try owner.broker.createTopic(topic, partitions: partitions)
        }
        hostedTopics = Set(standIns.keys)
        member.group.join(member.id, topics: topics + internalTopics + hostedTopics.sorted())
    }

    /// What the group recorded for this member since the last call; first lets other sources'
    /// splits go that the worker let go since.
    public func takeChanges() throws -> [MembershipChange] {
        try owner.process.checkAlive()
        guard let member else { return [] }
        if !releasing.isEmpty {
            member.group.release(releasing, by: member.id)
            releasing = []
        }
        let changes = member.group.takeChanges(for: member.id)
        for change in changes {
            switch change {
            case .revoked(let splits), .lost(let splits): releasing += splits.filter { hostedTopics.contains($0.topic) }
            case .assigned: break
            }
        }
        return changes
    }

    /// Leaves the group; a crashed worker's session has ended already.
    public func leave() {
        guard let member, !owner.hasCrashed else { return }
        member.group.leave(member.id)
    }

    /// Whether the group took splits away that this worker has not let go yet.
    public var assignmentLost: Bool {
        guard let member else { return false }
        return member.group.hasLostSplits(member.id)
    }

    // MARK: Reading

    /// Starts each split at its position, else the group's committed offset, else offset 0.
    public func assign(_ splits: [SplitStart]) throws {
        try owner.process.checkAlive()
        let committed = member?.group.committedOffsets(for: splits.map(\.split)) ?? [:]
        for start in splits {
            positions[start.split] = start.position ?? committed[start.split] ?? 0
            endReported.remove(start.split)
            if ending == .atEndOffsets, topics.contains(start.split.topic) {
                ends[start.split] = owner.broker.endOffset(start.split)
            }
        }
    }

    /// Makes the record at `offset` the next one read.
    public func seek(_ split: Split, to offset: Int64) {
        guard positions[split] != nil else { return }
        positions[split] = offset
        endReported.remove(split)
    }

    /// Stops reading `splits` and lets the group have them.
    public func revoke(_ splits: [Split]) {
        for split in splits {
            positions[split] = nil
            ends[split] = nil
            endReported.remove(split)
        }
        guard let member, !owner.hasCrashed else { return }
        member.group.release(splits, by: member.id)
    }

    /// Hands out the records of every split it reads, up to `maxRecords` in all, spread over
    /// the splits as a consumer's fetch spreads over partitions; reports an input split ended
    /// when a read finds nothing more and its end has come. Under a test driver, waits first
    /// until the driver lets the round run.
    public func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<SourceRecord>) throws {
        owner.pollGate?.sourceWillPoll(self)
        try owner.process.checkAlive()
        var budget = maxRecords
        let share = max(1, maxRecords / max(1, positions.count))
        for (split, position) in positions.sorted(by: { $0.key < $1.key }) {
            var limit = min(budget, share, maxRecordsPerSplit ?? .max)
            if let end = ends[split] { limit = min(limit, Int(max(0, end - position))) }
            let (records, next) = owner.broker.fetch(split, from: position, max: limit)
            for record in records {
                batch.append(
                    SourceRecord(topic: split.topic, partition: split.partition, offset: record.offset, timestamp: record.timestamp,
                                 key: record.key, value: record.value, headers: record.headers),
                    split: split, offset: record.offset, timestamp: record.timestamp)
            }
            positions[split] = next
            budget -= records.count
            delivered += records.count
            if records.isEmpty, !endReported.contains(split), hasEnded(split, at: next) {
                endReported.insert(split)
                batch.markEnded(split)
                delivered += 1
            }
        }
    }

    private func hasEnded(_ split: Split, at position: Int64) -> Bool {
        guard topics.contains(split.topic) else { return false }
        switch ending {
        case .never: return false
        case .atEndOffsets: return position >= ends[split] ?? .max
        case .whenTopicEnds: return owner.broker.hasEnded(split.topic) && position >= owner.broker.endOffset(split)
        }
    }
}
