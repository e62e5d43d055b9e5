/// The start of a task's chain: where its input comes from each round.
protocol TaskHead: AnyObject {
    /// Pushes this round's processing time, then its input, then the watermark, through the
    /// chain; time first, so functions see the round's processing time while handling records.
    func runRound(now: Int64) throws

    /// Whether the task's input has ended for good; only repartition heads decide this
    /// themselves, source splits end through their source.
    var hasEnded: Bool { get }

    /// The offset of the input split a checkpoint of the task resumes from: after the last
    /// record fully handled, or (repartition heads) the oldest record still waiting for its
    /// upstream's commit marker; `nil` while unknown.
    var inputPosition: Int64? { get }

    /// Resumes at `position` after a restore, until records move it on.
    func restorePosition(_ position: Int64?)

    /// The event-time watermark the task last pushed through its chain; `nil` before it had one.
    var currentWatermark: Int64? { get }
}

extension TaskHead {
    var hasEnded: Bool { false }
    var inputPosition: Int64? { nil }
    func restorePosition(_ position: Int64?) {}
    var currentWatermark: Int64? { nil }
}

/// The head of a source task: one split's records, watermark and idleness.
final class SourceHead<Element>: TaskHead, SplitReceiver, CheckpointParticipant {
    let split: Split
    let checkpointID: String
    private let downstream: Node<Element>
    private var generator: WatermarkGenerator
    private let slot: ProvenanceRegistry.Slot
    private let provenance: ChunkProvenance<Element>
    private let sourceTask: Int
    /// Origins `0..<n` of this task, built once and shared by every batch of that size.
    private var identityOrigins: [RecordOrigin] = []
    private var pending: SourceBatch<Element>.Chunk?
    private var declaredWatermark: Int64?
    private var ended = false
    private(set) var inputPosition: Int64?
    private(set) var currentWatermark: Int64?

    init(split: Split, sourceTask: Int, slot: ProvenanceRegistry.Slot, outOfOrderness: Int64,
         idleTimeout: Int64?, nodeID: Int, downstream: Node<Element>) {
        self.split = split
        checkpointID = "\(nodeID):source-watermarks"
        self.sourceTask = sourceTask
        self.slot = slot
        self.downstream = downstream
        provenance = ChunkProvenance(chunk: SourceBatch<Element>.Chunk(split: split))
        generator = WatermarkGenerator(outOfOrderness: outOfOrderness, idleTimeout: idleTimeout)
    }

    /// Hands the head its split's records for the next round; called on the driver thread.
    func deliver(_ chunk: SourceBatch<Element>.Chunk) {
        pending = chunk
    }

    /// The split has ended; its final watermark goes out next round.
    func markEnded() {
        ended = true
    }

    /// The source declared the split's watermark; it goes out next round.
    func advanceWatermark(to watermark: Int64) {
        declaredWatermark = max(declaredWatermark ?? .min, watermark)
    }

    func runRound(now: Int64) throws {
        try downstream.onProcessingTime(now)
        if let chunk = pending {
            pending = nil
            provenance.chunk = chunk
            slot.provenance = provenance
            generator.markActive(at: now)
            for timestamp in chunk.timestamps { generator.observe(timestamp) }
            try downstream.push(StreamBatch(values: chunk.values, timestamps: chunk.timestamps, origins: origins(count: chunk.values.count)))
            if let last = chunk.offsets.last { inputPosition = last + 1 }
        }
        if let declared = declaredWatermark {
            declaredWatermark = nil
            generator.markActive(at: now)
            generator.advance(to: declared)
        }
        if ended { generator.markEnded() }
        let (watermark, idle) = generator.current(at: now)
        if watermark != .min { currentWatermark = watermark }
        try downstream.onWatermark(watermark, idle: idle)
    }

    func restorePosition(_ position: Int64?) {
        inputPosition = position
    }

    func snapshotScalar() throws -> [UInt8]? {
        generator.snapshot()
    }

    func restoreScalar(_ bytes: [UInt8]) throws {
        try generator.restore(bytes)
    }

    private func origins(count: Int) -> [RecordOrigin] {
        if identityOrigins.count < count {
            identityOrigins = (0..<count).map { RecordOrigin(sourceTask: sourceTask, index: $0) }
        }
        return identityOrigins.count == count ? identityOrigins : Array(identityOrigins[..<count])
    }
}

/// The head of a task after an exchange: everything sent to its partition this round.
final class ExchangeHead<Element, Input: Exchange>: TaskHead where Input.Element == Element {
    private let exchange: Input
    private let partition: Int
    private let downstream: Node<Element>
    private var watermark: Int64 = .min

    var currentWatermark: Int64? { watermark == .min ? nil : watermark }

    init(exchange: Input, partition: Int, downstream: Node<Element>) {
        self.exchange = exchange
        self.partition = partition
        self.downstream = downstream
    }

    func runRound(now: Int64) throws {
        try downstream.onProcessingTime(now)
        let delivery = try exchange.receive(partition: partition)
        for batch in delivery.batches { try downstream.push(batch) }
        if let combined = delivery.watermark {
            watermark = max(watermark, combined)
            try downstream.onWatermark(watermark, idle: false)
        } else {
            try downstream.onWatermark(watermark, idle: true)
        }
    }
}

/// The tail of a task before an exchange: routes each element to its key's partition and
/// publishes the task's watermark.
final class ExchangeSendNode<Element, Key: Hashable, Output: Exchange>: Node<Element> where Output.Element == Element {
    private let exchange: Output
    private let upstream: Int
    private let keySelector: @Sendable (Element) throws -> Key
    private let partitioner: (Key, Int) -> Int
    private let failures: FailureHandler
    private let partitionCount: Int

    init(exchange: Output, upstream: Int, keySelector: @escaping @Sendable (Element) throws -> Key,
         partitioner: @escaping (Key, Int) -> Int, failures: FailureHandler) {
        self.exchange = exchange
        self.upstream = upstream
        self.keySelector = keySelector
        self.partitioner = partitioner
        self.failures = failures
        partitionCount = exchange.partitionCount
    }

    /// Routes indices first and gathers each partition's elements once (see
    /// ``StreamBatch/gathering(_:)``); a batch that goes to one partition whole is sent as it is.
    override func push(_ batch: StreamBatch<Element>) throws {
        let partitions = partitionCount
        var members = Array(repeating: [Int](), count: partitions)
        for index in 0..<batch.count {
            do {
                members[partitioner(try keySelector(batch.values[index]), partitions)].append(index)
            } catch {
                try failures.handle(error, origin: batch.origins[index], operatorName: "keyBy")
            }
        }
        for partition in 0..<partitions where !members[partition].isEmpty {
            let indices = members[partition]
            try exchange.send(
                indices.count == batch.count ? batch : batch.gathering(indices), toPartition: partition, from: upstream)
        }
    }

    override func onWatermark(_ watermark: Int64, idle: Bool) throws {
        try exchange.sendWatermark(watermark, idle: idle, from: upstream)
    }

    override func onProcessingTime(_ now: Int64) {}
}
