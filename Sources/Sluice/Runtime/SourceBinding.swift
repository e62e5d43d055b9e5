/// A source as the runtime drives it, with its element type erased so one driver can serve
/// sources of any type; the typed work happens once per chunk, not per record.
protocol AnySourceBinding: AnyObject {
    var name: String { get }
    var isBounded: Bool { get }
    var isInProcess: Bool { get }
    var startsAtCommittedPosition: Bool { get }
    func splits() throws -> [Split]
    func assign(_ splits: [SplitStart]) throws
    func revoke(_ splits: [Split]) throws
    /// Moves an assigned split's read position, for a task restored or rewound to a checkpoint.
    func seek(_ split: Split, to offset: Int64) throws
    func close()
    /// The source, when it only runs under one runtime.
    var runtimeBound: (any RuntimeBound)? { get }
    /// Creates the head of `split`'s task and the chain behind it, from the source node `nodeID`.
    func makeHead(split: Split, sourceTask: Int, slot: ProvenanceRegistry.Slot, builder: ChainBuilder, nodeID: Int) throws -> TaskHead
    func dropHead(split: Split)
    /// Routes `split`'s records to `receiver`, a head that reads them as this source's
    /// elements; throws when it reads another type.
    func attach(_ receiver: AnyObject, split: Split) throws
    /// The source, when it can also read a job's internal topics.
    var internalTopicSource: (any InternalTopicSource)? { get }
    /// The source, when it reports its splits' end offsets (consumer lag).
    var offsetsReporting: (any SplitOffsetsReporting)? { get }
    /// Polls once and hands each split's records to its head.
    func pollAndDeliver(maxRecords: Int, timeout: Duration) throws -> PollOutcome
}

/// What one poll of a source delivered.
struct PollOutcome {
    /// Per split, the position after its last delivered record.
    var positions: [Split: Int64] = [:]
    /// Per split, the offset of its first delivered record.
    var firstOffsets: [Split: Int64] = [:]
    /// Splits of bounded sources that ended.
    var ended: [Split] = []
    /// Records delivered.
    var count = 0
    /// Per split, the records delivered.
    var counts: [Split: Int] = [:]
}

/// Where a source binding hands one split's records: a source task's head, or the head of a
/// task reading a repartition topic through the same source.
protocol SplitReceiver<Received>: AnyObject {
    associatedtype Received
    func deliver(_ chunk: SourceBatch<Received>.Chunk)
    func markEnded()
    /// The source declared the split's watermark (``SourceBatch/advanceWatermark(_:to:)``).
    func advanceWatermark(to watermark: Int64)
}

extension SplitReceiver {
    /// Ignored by heads of internal topics, whose watermarks travel inside the topic.
    func advanceWatermark(to watermark: Int64) {}
}

final class SourceBinding<Wrapped: Source>: AnySourceBinding {
    private let source: Wrapped
    private let outOfOrderness: Int64
    private let idleTimeout: Int64?
    private var heads: [Split: any SplitReceiver<Wrapped.Element>] = [:]
    private var batch = SourceBatch<Wrapped.Element>()

    init(source: Wrapped, outOfOrderness: Int64, idleTimeout: Int64?) {
        self.source = source
        self.outOfOrderness = outOfOrderness
        self.idleTimeout = idleTimeout
    }

    var name: String { source.name }
    var isBounded: Bool { source.isBounded }
    var isInProcess: Bool { source.isInProcess }
    var startsAtCommittedPosition: Bool { source.startsAtCommittedPosition }

    func splits() throws -> [Split] { try source.splits() }

    func assign(_ splits: [SplitStart]) throws { try source.assign(splits) }

    func revoke(_ splits: [Split]) throws { try source.revoke(splits) }

    func seek(_ split: Split, to offset: Int64) throws { try source.seek(split, to: offset) }

    var runtimeBound: (any RuntimeBound)? { source as? any RuntimeBound }

    func close() { source.close() }

    func makeHead(split: Split, sourceTask: Int, slot: ProvenanceRegistry.Slot, builder: ChainBuilder, nodeID: Int) throws -> TaskHead {
        let typed = try builder.output(of: nodeID, Wrapped.Element.self)
        let head = SourceHead(
            split: split, sourceTask: sourceTask, slot: slot, outOfOrderness: outOfOrderness,
            idleTimeout: idleTimeout, nodeID: nodeID, downstream: typed)
        try builder.context.register(head)
        heads[split] = head
        return head
    }

    func attach(_ receiver: AnyObject, split: Split) throws {
        guard let typed = receiver as? any SplitReceiver<Wrapped.Element> else {
            throw JobError.unsupported("source \(source.name) cannot read \(split): it does not deliver \(Wrapped.Element.self) records")
        }
        heads[split] = typed
    }

    var internalTopicSource: (any InternalTopicSource)? { source as? any InternalTopicSource }

    var offsetsReporting: (any SplitOffsetsReporting)? { source as? any SplitOffsetsReporting }

    func dropHead(split: Split) {
        heads[split] = nil
    }

    func pollAndDeliver(maxRecords: Int, timeout: Duration) throws -> PollOutcome {
        batch.removeAll()
        do {
            try source.poll(maxRecords: maxRecords, timeout: timeout, into: &batch)
        } catch {
            throw JobError.connectorFailed("source \(source.name)", underlying: error)
        }
        var merged: [Split: SourceBatch<Wrapped.Element>.Chunk] = [:]
        var order: [Split] = []
        for chunk in batch.chunks where !chunk.values.isEmpty {
            if merged[chunk.split] == nil {
                merged[chunk.split] = chunk
                order.append(chunk.split)
            } else {
                merged[chunk.split]!.values += chunk.values
                merged[chunk.split]!.offsets += chunk.offsets
                merged[chunk.split]!.timestamps += chunk.timestamps
            }
        }
        var outcome = PollOutcome()
        for split in order {
            let chunk = merged[split]!
            guard let head = heads[split] else { continue }
            head.deliver(chunk)
            outcome.positions[split] = chunk.offsets[chunk.offsets.count - 1] + 1
            outcome.firstOffsets[split] = chunk.offsets[0]
            outcome.count += chunk.values.count
            outcome.counts[split] = chunk.values.count
        }
        for (split, watermark) in batch.watermarks { heads[split]?.advanceWatermark(to: watermark) }
        for split in batch.endedSplits { heads[split]?.markEnded() }
        outcome.ended = batch.endedSplits
        return outcome
    }
}
