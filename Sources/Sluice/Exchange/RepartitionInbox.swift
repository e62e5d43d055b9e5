/// The gate in front of a task that reads one partition of a repartition topic: it lets
/// through exactly the records of committed upstream transactions, on any broker.
///
/// Kafka Streams trusts the broker's read_committed filter to hide records of aborted
/// transactions. Not every Kafka-compatible broker filters (Tansu does not; librdkafka's mock
/// clusters do not), so Sluice decides itself, from what every record carries
/// (``RepartitionEnvelope``):
///
/// - Each element and watermark names its upstream task `u`, the checkpoint sequence `n` of the
///   transaction it was written in, and the upstream's incarnation `i` (drawn anew whenever the
///   task starts, restores or rewinds, so aborted and retried transactions share `n` but never
///   `i`).
/// - Every upstream transaction begins by writing a **commit marker** naming the upstream's last
///   committed checkpoint (`u`, `n`, `i`). A marker is written only after that checkpoint
///   committed, hence after all of its records in partition order, and it is true whether or not
///   the transaction carrying it commits.
/// - In exactly-once mode the inbox buffers each upstream's records. A marker (`u`, `n`, `i`)
///   applies every buffered record of `u` with incarnation `i` and sequence ≤ `n`, in order, and
///   drops `u`'s other buffered records with sequence ≤ `n`: they belong to aborted
///   transactions, since every committed one was announced by an earlier marker. A record of
///   `u` arriving with a sequence at or below the last applied one is dropped at once: it was
///   applied before (a re-read after a restore) or aborted.
///
/// The checkpoint of the downstream task keeps, per upstream, the last applied (`n`, `i`) and
/// the upstream's watermark, and commits ``committedPosition`` as its input offset: the oldest
/// record still buffered. A restore re-reads from there and skips what was applied.
///
/// In at-least-once mode records apply as they arrive.
final class RepartitionInbox {
    enum Mode {
        /// At-least-once: apply on arrival.
        case immediate
        /// Exactly-once: apply on the upstream's commit marker.
        case committedOnly
    }

    /// A committed checkpoint of an upstream task.
    struct Applied: Equatable {
        var sequence: UInt64
        var incarnation: UInt64
    }

    private struct Pending {
        var offset: Int64
        var sequence: UInt64
        var incarnation: UInt64
        /// The watermark and idleness of a watermark record; `nil` for elements.
        var watermark: (value: Int64, idle: Bool)?
        var record: SourceRecord?
    }

    /// What the inbox knows of one upstream task.
    struct UpstreamState: Equatable {
        var lastApplied: Applied?
        /// The last applied watermark; `nil` until the upstream's first one.
        var watermark: Int64?
        var idle = false
    }

    let mode: Mode
    private(set) var upstreams: [UpstreamState]
    private var pending: [[Pending]]
    /// The offset after the last record received; `nil` before the first.
    private(set) var nextOffset: Int64?
    /// Elements applied since the last ``takeApplied()``, in the order they were applied.
    private var applied: [SourceRecord] = []
    /// Records dropped because their transaction aborted (or they were applied before a restore).
    private(set) var droppedRecords = 0

    init(upstreamCount: Int, mode: Mode) {
        self.mode = mode
        upstreams = Array(repeating: UpstreamState(), count: upstreamCount)
        pending = Array(repeating: [], count: upstreamCount)
    }

    /// Takes one record of the partition, in offset order.
    func receive(_ envelope: RepartitionEnvelope, record: SourceRecord) throws(RepartitionInboxError) {
        nextOffset = record.offset + 1
        let upstream = envelope.upstream
        guard upstream >= 0, upstream < upstreams.count else {
            throw .unknownUpstream(upstream, upstreamCount: upstreams.count)
        }
        let item: Pending
        switch envelope.kind {
        case .commitMarker:
            if mode == .committedOnly {
                applyMarker(upstream: upstream, Applied(sequence: envelope.sequence, incarnation: envelope.incarnation))
            }
            return
        case .element:
            item = Pending(offset: record.offset, sequence: envelope.sequence, incarnation: envelope.incarnation, watermark: nil, record: record)
        case .watermark(let value, let idle):
            item = Pending(offset: record.offset, sequence: envelope.sequence, incarnation: envelope.incarnation, watermark: (value, idle), record: nil)
        }
        switch mode {
        case .immediate:
            apply(item, upstream: upstream)
        case .committedOnly:
            if let last = upstreams[upstream].lastApplied, item.sequence <= last.sequence {
                droppedRecords += 1
            } else {
                pending[upstream].append(item)
            }
        }
    }

    /// After a restore: the partition is read again from `position`, which is also the
    /// committed position until records arrive.
    func resume(at position: Int64?) {
        nextOffset = position
    }

    /// Elements applied since the last call, oldest first.
    func takeApplied() -> [SourceRecord] {
        defer { applied.removeAll(keepingCapacity: true) }
        return applied
    }

    /// The offset a checkpoint commits for this partition: the oldest record still buffered, or
    /// the offset after the last one received; `nil` before any record arrived.
    var committedPosition: Int64? {
        var oldest: Int64?
        for records in pending {
            if let first = records.first { oldest = min(oldest ?? first.offset, first.offset) }
        }
        return oldest ?? nextOffset
    }

    /// Records waiting for their upstream's commit marker.
    var bufferedCount: Int { pending.reduce(0) { $0 + $1.count } }

    /// The minimum watermark over upstream tasks that are not idle; `nil` until every upstream
    /// has applied a watermark (one that has not spoken may still send older records) and
    /// while all of them are idle (see ``allIdle``).
    var combinedWatermark: Int64? {
        guard upstreams.allSatisfy({ $0.watermark != nil }) else { return nil }
        var minimum: Int64?
        for state in upstreams where !state.idle {
            minimum = min(minimum ?? .max, state.watermark!)
        }
        return minimum
    }

    /// Whether every upstream has spoken and all of them are idle.
    var allIdle: Bool {
        upstreams.allSatisfy { $0.watermark != nil && $0.idle }
    }

    private func applyMarker(upstream: Int, _ marker: Applied) {
        if let last = upstreams[upstream].lastApplied, marker.sequence <= last.sequence {
            // Announced before (markers repeat), or a zombie's conflicting claim: the first wins.
            return
        }
        var kept: [Pending] = []
        for item in pending[upstream] {
            if item.sequence > marker.sequence {
                kept.append(item)
            } else if item.incarnation == marker.incarnation {
                apply(item, upstream: upstream)
            } else {
                droppedRecords += 1
            }
        }
        pending[upstream] = kept
        upstreams[upstream].lastApplied = marker
    }

    private func apply(_ item: Pending, upstream: Int) {
        if let (value, idle) = item.watermark {
            // A watermark never moves back, even when an upstream replays after a restore.
            upstreams[upstream].watermark = max(upstreams[upstream].watermark ?? .min, value)
            upstreams[upstream].idle = idle
        } else if let record = item.record {
            applied.append(record)
        }
    }

    // MARK: Checkpoints

    private static let snapshotVersion: UInt8 = 1

    /// Per upstream, the last applied checkpoint, watermark and idleness.
    func snapshot() -> [UInt8] {
        var writer = SnapshotWriter()
        writer.write(Self.snapshotVersion)
        writer.write(UInt32(upstreams.count))
        for state in upstreams {
            writer.write(state.lastApplied != nil)
            writer.write(state.lastApplied?.sequence ?? 0)
            writer.write(state.lastApplied?.incarnation ?? 0)
            writer.write(state.watermark != nil)
            writer.write(state.watermark ?? 0)
            writer.write(state.idle)
        }
        return writer.bytes
    }

    /// Takes back what ``snapshot()`` captured; the partition is then re-read from the
    /// committed position.
    func restore(_ bytes: [UInt8]) throws {
        var reader = SnapshotReader(bytes)
        let version = try reader.readUInt8()
        guard version == Self.snapshotVersion else {
            throw StateError.corruptSnapshot("repartition inbox state of unknown version \(version)")
        }
        let count = Int(try reader.readUInt32())
        guard count == upstreams.count else {
            throw StateError.corruptSnapshot(
                "the checkpoint knows \(count) upstream tasks, the plan has \(upstreams.count); the input's partition count changed")
        }
        for index in 0..<count {
            let hasApplied = try reader.readBool()
            let sequence = try reader.readUInt64()
            let incarnation = try reader.readUInt64()
            let hasWatermark = try reader.readBool()
            let watermark = try reader.readInt64()
            let idle = try reader.readBool()
            upstreams[index] = UpstreamState(
                lastApplied: hasApplied ? Applied(sequence: sequence, incarnation: incarnation) : nil,
                watermark: hasWatermark ? watermark : nil, idle: idle)
        }
        guard reader.isAtEnd else { throw StateError.corruptSnapshot("trailing bytes after repartition inbox state") }
        pending = Array(repeating: [], count: count)
        applied = []
        nextOffset = nil
    }
}

/// A repartition record the inbox cannot place.
enum RepartitionInboxError: Error, CustomStringConvertible {
    case unknownUpstream(Int, upstreamCount: Int)

    var description: String {
        switch self {
        case .unknownUpstream(let upstream, let count):
            "a record of upstream task \(upstream), but the plan has \(count) upstream tasks; the input's partition count changed since the topic was written"
        }
    }
}
