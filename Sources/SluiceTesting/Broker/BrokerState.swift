import Sluice

/// Everything a ``MemoryBroker`` holds, behind its one lock, so that a transaction's records,
/// its outcome and its group offsets change together.
struct BrokerState {
    struct Topic {
        var partitions: [[MemoryRecord]]
        var ended = false
    }

    struct Producer {
        var epoch = 0
        var open: Int?
    }

    var topics: [String: Topic] = [:]
    var outcomes: [Int: MemoryBroker.TransactionOutcome] = [:]
    var nextTransaction = 1
    /// Per transactional id, its current epoch and open transaction.
    var producers: [String: Producer] = [:]
    /// Per split, the first offset each open transaction wrote there: the last stable offset
    /// is the smallest.
    var openFirstOffsets: [Split: [Int: Int64]] = [:]
    /// The splits each open transaction wrote to.
    var touched: [Int: Set<Split>] = [:]
    var groups: [String: GroupState] = [:]
    var commits = 0
    var failingCommits: Set<Int> = []
    var crashingCommits: Set<Int> = []
    /// Transactional ids whose next commit crashes.
    var crashingProducers: Set<String> = []
    /// Topics whose reads by checkpoint logs fail as if the brokers could not be reached.
    var unreachableTopics: Set<String> = []
    var visibility: MemoryBroker.OffsetVisibility
    var isolation: MemoryBroker.ReadIsolation
    /// Transactional offsets not visible yet (``MemoryBroker/OffsetVisibility/lagging(commits:)``),
    /// oldest first.
    var lagging: [(commit: Int, group: String, offsets: [Split: Int64])] = []
    /// Grows with every change anyone could observe; a test driver compares it to tell whether
    /// anything moved.
    var revision = 0

    init(visibility: MemoryBroker.OffsetVisibility, isolation: MemoryBroker.ReadIsolation) {
        self.visibility = visibility
        self.isolation = isolation
    }

    // MARK: Topics and records

    func checkedPartition(_ topic: String, _ partition: Int32) throws -> Topic {
        guard let log = topics[topic] else { throw MemoryBrokerError.unknownTopic(topic) }
        guard (0..<log.partitions.count).contains(Int(partition)) else {
            throw MemoryBrokerError.noSuchPartition(topic: topic, partition: partition, partitions: log.partitions.count)
        }
        return log
    }

    /// Appends a record, inside `transaction` when given; returns its offset.
    mutating func append(_ topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader],
                         timestamp: Int64, transaction: Int?) throws -> Int64 {
        let log = try checkedPartition(topic, partition)
        guard !log.ended else { throw MemoryBrokerError.topicEnded(topic) }
        let offset = Int64(log.partitions[Int(partition)].count)
        topics[topic]!.partitions[Int(partition)].append(MemoryRecord(
            offset: offset, key: key, value: value, headers: headers, timestamp: timestamp, transaction: transaction))
        if let transaction {
            let split = Split(topic: topic, partition: partition)
            if openFirstOffsets[split, default: [:]][transaction] == nil { openFirstOffsets[split, default: [:]][transaction] = offset }
            touched[transaction, default: []].insert(split)
        }
        revision += 1
        return offset
    }

    /// The offset of the first record of a transaction still open in `split`, else its end.
    func lastStableOffset(_ split: Split) -> Int64 {
        let end = Int64(topics[split.topic]?.partitions[Int(split.partition)].count ?? 0)
        return openFirstOffsets[split]?.values.min() ?? end
    }

    /// Up to `max` records of `split` from `offset` as `isolation` hands them out, and the
    /// offset to fetch from next.
    func fetch(_ split: Split, from offset: Int64, max: Int, isolation: MemoryBroker.ReadIsolation)
        -> (records: [MemoryRecord], next: Int64) {
        guard let log = topics[split.topic]?.partitions[Int(split.partition)] else { return ([], offset) }
        let end = isolation == .readUncommitted ? Int64(log.count) : lastStableOffset(split)
        var records: [MemoryRecord] = []
        var next = Swift.max(offset, 0)
        while next < end, records.count < max {
            let record = log[Int(next)]
            next += 1
            if isolation == .readCommitted, let transaction = record.transaction, outcomes[transaction] == .aborted { continue }
            records.append(record)
        }
        return (records, Swift.max(next, offset))
    }

    // MARK: Transactions

    mutating func initProducer(_ id: String) -> Int {
        var producer = producers[id] ?? Producer(epoch: -1)
        if let open = producer.open { end(open, as: .aborted) }
        producer.open = nil
        producer.epoch += 1
        producers[id] = producer
        revision += 1
        return producer.epoch
    }

    /// The open transaction of `id` at `epoch`; throws when the producer was fenced or has
    /// none open.
    func openTransaction(_ id: String, epoch: Int) throws -> Int {
        try checkEpoch(id, epoch)
        guard let open = producers[id]?.open else { throw MemoryBrokerError.noOpenTransaction(transactionalID: id) }
        return open
    }

    func checkEpoch(_ id: String, _ epoch: Int) throws {
        guard producers[id]?.epoch == epoch else { throw MemoryBrokerError.fenced(transactionalID: id) }
    }

    mutating func begin(_ id: String, epoch: Int) throws {
        try checkEpoch(id, epoch)
        guard producers[id]?.open == nil else { throw MemoryBrokerError.transactionAlreadyOpen(transactionalID: id) }
        let transaction = nextTransaction
        nextTransaction += 1
        outcomes[transaction] = .open
        producers[id]!.open = transaction
    }

    /// Commits the open transaction of `id` with `offsets` for `group`, as `member` when the
    /// group must check it still counts it (KIP-447). Injected faults abort instead.
    mutating func commit(_ id: String, epoch: Int, offsets: [Split: Int64], group: String?, member: String?) throws {
        let transaction = try openTransaction(id, epoch: epoch)
        commits += 1
        if crashingCommits.contains(commits) || crashingProducers.remove(id) != nil {
            abandon(id)
            throw MemoryBroker.InjectedCrash(commit: commits, transactionalID: id)
        }
        if failingCommits.contains(commits) {
            producers[id]!.open = nil
            end(transaction, as: .aborted)
            throw MemoryBroker.InjectedFailure(commit: commits)
        }
        if let group, let member, !offsets.isEmpty, !isCurrentMember(member, of: group) {
            producers[id]!.open = nil
            end(transaction, as: .aborted)
            throw MemoryBrokerError.notAGroupMember(group: group, member: member)
        }
        producers[id]!.open = nil
        end(transaction, as: .committed)
        switch visibility {
        case .immediate:
            if let group { groups[group, default: GroupState()].offsets.merge(offsets) { $1 } }
        case .lagging(let lag):
            if let group { lagging.append((commits, group, offsets)) }
            while let first = lagging.first, first.commit + lag <= commits {
                groups[first.group, default: GroupState()].offsets.merge(first.offsets) { $1 }
                lagging.removeFirst()
            }
        case .never:
            break
        }
    }

    mutating func abort(_ id: String, epoch: Int) throws {
        try checkEpoch(id, epoch)
        guard let open = producers[id]?.open else { return }
        producers[id]!.open = nil
        end(open, as: .aborted)
    }

    /// The producer's process is gone: its open transaction aborts (as the coordinator does when
    /// the transaction times out) and no later call of this instance counts.
    mutating func abandon(_ id: String) {
        guard var producer = producers[id] else { return }
        if let open = producer.open { end(open, as: .aborted) }
        producer.open = nil
        producer.epoch += 1
        producers[id] = producer
        revision += 1
    }

    private mutating func end(_ transaction: Int, as outcome: MemoryBroker.TransactionOutcome) {
        outcomes[transaction] = outcome
        for split in touched.removeValue(forKey: transaction) ?? [] {
            openFirstOffsets[split]?[transaction] = nil
        }
        revision += 1
    }
}
