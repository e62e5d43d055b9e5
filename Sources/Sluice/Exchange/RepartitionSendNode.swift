/// The tail of a task before a repartition topic: serializes each element and its key, places
/// it by murmur2 of the key bytes, writes the task's watermark to every partition, and stamps
/// every record with the task's checkpoint lineage (``RepartitionEnvelope``).
///
/// In exactly-once jobs it also opens every transaction with commit markers naming the task's
/// last committed checkpoint, on the partitions the checkpoint wrote to (on every partition
/// after a restore), so downstream tasks apply those records and drop aborted ones
/// (``RepartitionInbox``).
///
/// It takes part in its task's checkpoints by flushing the topic in
/// ``TwoPhaseCommitParticipant/prepare(_:)``: a checkpoint commits the task's input position only
/// once the records derived from it are durable.
final class RepartitionSendNode<Element, Key>: Node<Element>, TransactionParticipant, TwoPhaseCommitParticipant {
    private let topic: RepartitionTopic
    private let upstream: Int
    private let operatorName: String
    private let keySelector: @Sendable (Element) throws -> Key
    private let keyCodec: any Codec<Key>
    /// This task's own element encoder (``ExchangeElementCoding``).
    private let elementEncoder: any ExchangeElementEncoder<Element>
    private let failures: FailureHandler
    private let lineage: TaskLineage
    private var records: [ExchangeRecord] = []
    private var origins: [RecordOrigin] = []
    /// Room reserved for an element's bytes: the previous element's size and some.
    private var expectedPayload = 64
    private var lastWatermark: Int64 = .min
    private var lastIdle = false
    /// Partitions written since the last commit, and those the last committed checkpoint wrote
    /// to, which the next transaction's markers announce.
    private var writtenSinceCommit: Set<Int32> = []
    private var toAnnounce: Set<Int32> = []

    init(topic: RepartitionTopic, upstream: Int, operatorName: String, keySelector: @escaping @Sendable (Element) throws -> Key,
         keyCodec: any Codec<Key>, elementEncoder: any ExchangeElementEncoder<Element>, failures: FailureHandler, lineage: TaskLineage) {
        self.topic = topic
        self.upstream = upstream
        self.operatorName = operatorName
        self.keySelector = keySelector
        self.keyCodec = keyCodec
        self.elementEncoder = elementEncoder
        self.failures = failures
        self.lineage = lineage
    }

    private func envelope(_ kind: RepartitionEnvelope.Kind) -> RepartitionEnvelope {
        RepartitionEnvelope(kind: kind, upstream: upstream, sequence: lineage.currentSequence, incarnation: lineage.incarnation)
    }

    override func push(_ batch: StreamBatch<Element>) throws {
        records.removeAll(keepingCapacity: true)
        origins.removeAll(keepingCapacity: true)
        records.reserveCapacity(batch.count)
        let partitions = topic.partitionCount
        let header = envelope(.element).encoded()
        for index in 0..<batch.count {
            let value = batch.values[index]
            do {
                let key = try keyCodec.serialize(try keySelector(value))
                let partition = Int32(Murmur2.partition(key: key, partitionCount: partitions))
                var bytes: [UInt8] = []
                bytes.reserveCapacity(header.count + expectedPayload)
                bytes.append(contentsOf: header)
                try elementEncoder.append(value, to: &bytes)
                expectedPayload = bytes.count - header.count + 16
                records.append(ExchangeRecord(partition: partition, key: key, value: bytes, timestamp: batch.timestamps[index]))
                origins.append(batch.origins[index])
                writtenSinceCommit.insert(partition)
            } catch {
                try failures.handle(error, origin: batch.origins[index], operatorName: operatorName)
            }
        }
        if !records.isEmpty { try write() }
    }

    /// Called once per round; writes only when the watermark moved or idleness changed, so an
    /// idle job does not flood the topic with repeated watermark records.
    override func onWatermark(_ watermark: Int64, idle: Bool) throws {
        guard watermark > lastWatermark || idle != lastIdle else { return }
        lastWatermark = max(lastWatermark, watermark)
        lastIdle = idle
        records.removeAll(keepingCapacity: true)
        origins.removeAll(keepingCapacity: true)
        let value = envelope(.watermark(lastWatermark, idle: idle)).encoded()
        for partition in 0..<Int32(topic.partitionCount) {
            records.append(ExchangeRecord(partition: partition, key: nil, value: value, timestamp: nil))
            origins.append(.unknown)
            writtenSinceCommit.insert(partition)
        }
        try write()
    }

    override func onProcessingTime(_ now: Int64) {}

    private func write() throws {
        try topic.write(records) { index, error in
            try failures.handle(error, origin: origins[index], operatorName: "\(operatorName) to \(topic.name)")
        }
    }

    // MARK: Checkpoints

    var participantID: String { "exchange:\(topic.name)" }

    func prepare(_ attempt: CheckpointAttempt) throws {
        do {
            try topic.transport.flush()
        } catch {
            throw JobError.connectorFailed("flushing repartition topic \(topic.name)", underlying: error)
        }
    }

    // MARK: Transactions

    func transactionBegan() throws -> Bool {
        guard topic.exactlyOnce, let committed = lineage.lastCommitted else { return false }
        let partitions = lineage.announcesRestoredCheckpoint ? Set(0..<Int32(topic.partitionCount)) : toAnnounce
        guard !partitions.isEmpty else { return false }
        let marker = RepartitionEnvelope(
            kind: .commitMarker, upstream: upstream, sequence: committed.sequence, incarnation: committed.incarnation
        ).encoded()
        let markers = partitions.sorted().map { ExchangeRecord(partition: $0, key: nil, value: marker, timestamp: nil) }
        try topic.write(markers) { _, error in
            throw JobError.connectorFailed("writing a commit marker to \(topic.name)", underlying: error)
        }
        return true
    }

    var wroteSinceCommit: Bool { !writtenSinceCommit.isEmpty }

    func transactionCommitted() {
        toAnnounce = writtenSinceCommit
        writtenSinceCommit = []
        lineage.restoredCheckpointAnnounced()
    }
}
