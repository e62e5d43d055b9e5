/// The head of a task reading one partition of a repartition topic: passes each record through
/// the partition's ``RepartitionInbox`` (which in exactly-once jobs lets through only records of
/// committed upstream transactions), deserializes the elements it applies (event time = the
/// record's timestamp), and combines the upstream tasks' watermarks into the task's input
/// watermark.
///
/// The key bytes are not decoded: the keyed operator behind the head derives each element's
/// key with the same selector that produced them, so decoding would only cost time.
final class RepartitionHead<Element>: TaskHead, SplitReceiver, CheckpointParticipant {
    typealias Received = SourceRecord

    private let split: Split
    private let topic: RepartitionTopic
    /// This task's own element decoder (``ExchangeElementCoding``).
    private let decoder: any ExchangeElementDecoder<Element>
    private let failures: FailureHandler
    private let downstream: Node<Element>
    private let slot: ProvenanceRegistry.Slot
    private let provenance: ChunkProvenance<SourceRecord>
    private let sourceTask: Int
    private let inbox: RepartitionInbox
    private var pending: SourceBatch<SourceRecord>.Chunk?
    private var watermark: Int64 = .min
    private(set) var hasEnded = false
    let checkpointID: String

    init(split: Split, topic: RepartitionTopic, decoder: any ExchangeElementDecoder<Element>, failures: FailureHandler,
         sourceTask: Int, slot: ProvenanceRegistry.Slot, nodeID: Int, downstream: Node<Element>) {
        self.split = split
        self.topic = topic
        self.decoder = decoder
        self.failures = failures
        self.sourceTask = sourceTask
        self.slot = slot
        self.downstream = downstream
        checkpointID = "\(nodeID):repartition-inbox"
        provenance = ChunkProvenance(chunk: SourceBatch<SourceRecord>.Chunk(split: split))
        inbox = RepartitionInbox(upstreamCount: topic.upstreamCount, mode: topic.exactlyOnce ? .committedOnly : .immediate)
    }

    func deliver(_ chunk: SourceBatch<SourceRecord>.Chunk) {
        pending = chunk
    }

    /// Internal topics never end by offsets; ``hasEnded`` follows the final watermarks instead.
    func markEnded() {}

    /// The oldest record still waiting for its upstream's commit marker, or the offset after the
    /// last record read: where a restore must read again.
    var inputPosition: Int64? { inbox.committedPosition }

    var currentWatermark: Int64? { watermark == .min ? nil : watermark }

    func restorePosition(_ position: Int64?) {
        inbox.resume(at: position)
    }

    /// Records dropped so far as belonging to aborted upstream transactions.
    var droppedRecords: Int { inbox.droppedRecords }

    func runRound(now: Int64) throws {
        try downstream.onProcessingTime(now)
        if let chunk = pending {
            pending = nil
            for record in chunk.values {
                let envelope: RepartitionEnvelope
                do {
                    guard let value = record.value else {
                        throw SerializationError.nullValue(expected: "a repartition envelope")
                    }
                    envelope = try RepartitionEnvelope.decode(value)
                    try inbox.receive(envelope, record: record)
                } catch {
                    throw UnreadableInternalRecord(topic: split.topic, partition: split.partition, offset: record.offset, reason: error)
                }
            }
            try push(inbox.takeApplied())
        }
        if let combined = inbox.combinedWatermark {
            watermark = max(watermark, combined)
            if watermark == .max { hasEnded = true }
            try downstream.onWatermark(watermark, idle: false)
        } else {
            // Until every upstream task has spoken, some may still send older records.
            try downstream.onWatermark(watermark, idle: inbox.allIdle)
        }
    }

    /// Deserializes the applied records and pushes them as one batch; their provenance is a
    /// chunk of exactly these records, so the bad-input policy names each one's own offset.
    private func push(_ records: [SourceRecord]) throws {
        guard !records.isEmpty else { return }
        provenance.chunk = SourceBatch<SourceRecord>.Chunk(
            split: split, values: records, offsets: records.map(\.offset), timestamps: records.map(\.timestamp))
        slot.provenance = provenance
        var batch = StreamBatch<Element>()
        batch.reserveCapacity(records.count)
        for index in records.indices {
            let origin = RecordOrigin(sourceTask: sourceTask, index: index)
            do {
                // Every record here decoded as an envelope, so its value holds at least the header.
                let element = try decoder.decode(records[index].value ?? [], from: RepartitionEnvelope.headerSize)
                batch.append(element, timestamp: records[index].timestamp, origin: origin)
            } catch {
                try failures.handle(error, origin: origin, operatorName: "read \(topic.name)")
            }
        }
        if !batch.isEmpty { try downstream.push(batch) }
    }

    // MARK: Checkpoints

    func snapshotScalar() throws -> [UInt8]? {
        var writer = SnapshotWriter()
        writer.write(UInt8(1))
        writer.write(watermark)
        writer.write(bytes: inbox.snapshot())
        return writer.bytes
    }

    func restoreScalar(_ bytes: [UInt8]) throws {
        var reader = SnapshotReader(bytes)
        let version = try reader.readUInt8()
        guard version == 1 else { throw StateError.corruptSnapshot("repartition head state of unknown version \(version)") }
        watermark = try reader.readInt64()
        try inbox.restore(try reader.readBytes())
        guard reader.isAtEnd else { throw StateError.corruptSnapshot("trailing bytes after repartition head state") }
        hasEnded = watermark == .max
    }
}
