import Synchronization

/// Where a job's task checkpoints live: an append-only, compacted log per stage with one
/// partition per task (`<job>-<stage>-checkpoints` on Kafka), read back by exact offsets.
///
/// The engine writes snapshot pieces and manifests with ``append(to:key:value:)`` during the
/// worker's transaction; the offsets become known once ``flush()`` returns and are what the
/// next manifest and the committed checkpoint pointer name. Since every read is by an offset a
/// committed transaction named, recovery never depends on a broker filtering aborted records.
///
/// ## How the runtime drives a checkpoint log
///
/// - ``ensureTopics(_:)`` once on the driver thread before the worker joins its group.
/// - ``append(to:key:value:)`` and ``flush()`` on the driver thread while no task runs.
/// - ``read(_:from:through:)`` and ``readToEnd(_:from:)`` on the driver thread when a task
///   restores, between two polls.
public protocol CheckpointLog: AnyObject {
    /// Creates the compacted checkpoint topics that do not exist yet; an existing topic with
    /// fewer partitions than the plan needs is an error.
    func ensureTopics(_ topics: [InternalTopic]) throws

    /// Enqueues one record for `split` in the current transaction; a `nil` value is a
    /// tombstone. The receipt's offset is set by the time ``flush()`` returns.
    func append(to split: Split, key: [UInt8], value: [UInt8]?) throws -> CheckpointReceipt

    /// Waits until every appended record is durable, or throws the first failure.
    func flush() throws

    /// The records of `split` with offsets in `from...through`, in offset order. Offsets that
    /// hold no record (compacted away, transaction markers) are absent.
    func read(_ split: Split, from: Int64, through: Int64) throws -> [CheckpointLogRecord]

    /// Every record of `split` from `from` to its current end, in offset order, records of
    /// open and aborted transactions included.
    func readToEnd(_ split: Split, from: Int64) throws -> [CheckpointLogRecord]
}

/// The offset an appended checkpoint record got, known once the log was flushed.
public final class CheckpointReceipt: Sendable {
    private let stored = Atomic<Int64>(-1)

    /// A receipt without an offset yet.
    public init() {}

    /// The record's offset; `nil` until the log delivered it.
    public var offset: Int64? {
        let value = stored.load(ordering: .acquiring)
        return value < 0 ? nil : value
    }

    /// Called by the log when the record was delivered at `offset`.
    public func delivered(at offset: Int64) {
        stored.store(offset, ordering: .releasing)
    }
}

/// One record read back from a ``CheckpointLog``.
public struct CheckpointLogRecord: Sendable, Equatable {
    /// Its offset in the partition.
    public var offset: Int64
    /// Its key.
    public var key: [UInt8]
    /// Its value; `nil` for a tombstone.
    public var value: [UInt8]?

    /// A record at `offset`.
    public init(offset: Int64, key: [UInt8], value: [UInt8]?) {
        self.offset = offset
        self.key = key
        self.value = value
    }
}
