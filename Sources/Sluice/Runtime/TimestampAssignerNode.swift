/// `assignTimestampsAndWatermarks`: re-stamps elements and replaces the upstream watermark with
/// its own, generated from the new timestamps.
///
/// Its checkpoints hold the generator's progress, so a restored task resumes with the watermark
/// it had instead of holding every downstream window back until new records arrive.
final class TimestampAssignerNode<Element>: Node<Element> {
    private let nodeID: Int
    private let assigner: (@Sendable (Element, Int64) -> Int64)?
    private let hasOwnIdleness: Bool
    private var generator: WatermarkGenerator
    private let next: Node<Element>
    private var receivedSinceWatermark = false
    /// The round's processing time, which heads push before records and watermarks.
    private var processingTime: Int64 = .min

    init(nodeID: Int, strategy: WatermarkStrategy<Element>, next: Node<Element>) {
        self.nodeID = nodeID
        assigner = strategy.timestampAssigner
        hasOwnIdleness = strategy.idleTimeoutMilliseconds != nil
        generator = WatermarkGenerator(
            outOfOrderness: strategy.outOfOrdernessMilliseconds, idleTimeout: strategy.idleTimeoutMilliseconds)
        self.next = next
    }

    override func push(_ batch: StreamBatch<Element>) throws {
        var stamped = batch
        if let assigner {
            for index in 0..<batch.count {
                stamped.timestamps[index] = assigner(batch.values[index], batch.timestamps[index])
            }
        }
        for timestamp in stamped.timestamps { generator.observe(timestamp) }
        receivedSinceWatermark = receivedSinceWatermark || !batch.isEmpty
        try next.push(stamped)
    }

    override func onWatermark(_ watermark: Int64, idle: Bool) throws {
        if watermark == .max { generator.markEnded() }
        if receivedSinceWatermark { generator.markActive(at: processingTime) }
        let own = generator.current(at: processingTime)
        let inheritedIdle = !hasOwnIdleness && idle && !receivedSinceWatermark
        receivedSinceWatermark = false
        try next.onWatermark(own.watermark, idle: own.idle || inheritedIdle)
    }

    override func onProcessingTime(_ now: Int64) throws {
        processingTime = now
        try next.onProcessingTime(now)
    }
}

extension TimestampAssignerNode: CheckpointParticipant {
    var checkpointID: String { "\(nodeID):watermark-generator" }

    func snapshotScalar() -> [UInt8]? {
        generator.snapshot()
    }

    func restoreScalar(_ bytes: [UInt8]) throws {
        try generator.restore(bytes)
    }
}
