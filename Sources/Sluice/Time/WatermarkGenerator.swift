/// The watermark of one split: bounded out-of-orderness over the timestamps seen, plus idleness
/// measured in processing time.
struct WatermarkGenerator {
    private let outOfOrderness: Int64
    private let idleTimeout: Int64?
    private var highestTimestamp: Int64 = .min
    private var lastActivity: Int64?
    private var ended = false

    init(outOfOrderness: Int64, idleTimeout: Int64?) {
        self.outOfOrderness = outOfOrderness
        self.idleTimeout = idleTimeout
    }

    mutating func observe(_ timestamp: Int64) {
        if timestamp > highestTimestamp { highestTimestamp = timestamp }
    }

    /// The source declared that nothing at or below `watermark` follows: the watermark becomes
    /// at least `watermark`, as if a record at `watermark + outOfOrderness + 1` had arrived
    /// (saturating at `Int64.max`), so snapshots keep it as the highest timestamp seen.
    mutating func advance(to watermark: Int64) {
        let implied = watermark > Int64.max - outOfOrderness - 1 ? Int64.max : watermark + outOfOrderness + 1
        observe(implied)
    }

    /// Records arrived at processing time `now`: the split is active again.
    mutating func markActive(at now: Int64) {
        lastActivity = now
    }

    /// The split has no more records: from now on its watermark is final.
    mutating func markEnded() {
        ended = true
    }

    /// The current watermark, and whether the split counts as idle at processing time `now`.
    mutating func current(at now: Int64) -> (watermark: Int64, idle: Bool) {
        if ended { return (.max, false) }
        let watermark = highestTimestamp == .min ? .min : highestTimestamp &- outOfOrderness &- 1
        // `.min` means no processing time was read yet; idleness cannot be judged before then.
        guard let idleTimeout, now != .min else { return (watermark, false) }
        if lastActivity == nil || lastActivity == .min { lastActivity = now }
        return (watermark, now - lastActivity! >= idleTimeout)
    }

    /// The generator's progress as bytes, for checkpoints: the highest timestamp seen and
    /// whether the split ended. Idleness is not kept: it is measured again from the restore on.
    func snapshot() -> [UInt8] {
        var writer = SnapshotWriter()
        writer.write(UInt8(1))
        writer.write(highestTimestamp)
        writer.write(ended)
        return writer.bytes
    }

    /// Takes back the progress ``snapshot()`` captured.
    mutating func restore(_ bytes: [UInt8]) throws {
        var reader = SnapshotReader(bytes)
        let version = try reader.readUInt8()
        guard version == 1 else {
            throw StateError.corruptSnapshot("watermark generator state of unknown version \(version)")
        }
        highestTimestamp = try reader.readInt64()
        ended = try reader.readBool()
        guard reader.isAtEnd else { throw StateError.corruptSnapshot("trailing bytes after watermark generator state") }
    }
}
