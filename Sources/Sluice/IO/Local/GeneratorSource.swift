/// A source that computes its records, for benchmarks and demos.
///
/// Record `index` of partition `p` is `element(p, index)` at offset `index` with event time
/// `timestamp(index)`. With a `count` the source is bounded and each partition ends after
/// `count` records; without one it runs until the job is stopped.
public final class GeneratorSource<Element>: Source {
    /// The name given at creation, `generator` by default; also the topic of its splits.
    public let name: String
    /// Whether a `count` was given.
    public var isBounded: Bool { count != nil }
    /// Always `true`: records are computed in this process.
    public var isInProcess: Bool { true }

    private let count: Int64?
    private let partitionCount: Int
    private let element: @Sendable (Int32, Int64) -> Element
    private let timestamp: @Sendable (Int64) -> Int64
    private var next: [Split: Int64] = [:]
    private var assigned: [Split] = []
    private var endReported: Set<Split> = []
    private var rotation = 0

    /// - Parameters:
    ///   - name: the name its splits carry as their topic.
    ///   - count: records per partition, or `nil` for an unbounded source.
    ///   - partitions: how many splits to generate.
    ///   - timestamp: the event time in milliseconds of the record at an index; the index itself by
    ///     default.
    ///   - element: the record at an index of a partition.
    public init(
        name: String = "generator",
        count: Int64?,
        partitions: Int = 1,
        timestamp: @escaping @Sendable (Int64) -> Int64 = { $0 },
        element: @escaping @Sendable (_ partition: Int32, _ index: Int64) -> Element
    ) {
        precondition(partitions > 0, "a generator needs at least one partition")
        self.name = name
        self.count = count
        self.partitionCount = partitions
        self.element = element
        self.timestamp = timestamp
    }

    /// One split per partition, numbered from 0, with the source's name as topic.
    public func splits() -> [Split] {
        (0..<partitionCount).map { Split(topic: name, partition: Int32($0)) }
    }

    /// Starts new splits at their position, or index 0; splits already assigned keep theirs.
    public func assign(_ splits: [SplitStart]) {
        for start in splits where next[start.split] == nil {
            next[start.split] = start.position ?? 0
            assigned.append(start.split)
        }
    }

    /// Makes `offset` the next index generated for `split`.
    public func seek(_ split: Split, to offset: Int64) {
        next[split] = offset
    }

    /// Forgets the splits' positions; assigning them again starts at index 0.
    public func revoke(_ splits: [Split]) {
        for split in splits { next[split] = nil }
        assigned.removeAll(where: splits.contains)
    }

    /// Never waits: generates an equal share of `maxRecords` (at least one record) for each
    /// assigned split, and marks a split ended once it reaches `count`.
    public func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<Element>) {
        guard !assigned.isEmpty else { return }
        // Rotating the starting split keeps every partition moving when the budget is smaller
        // than one chunk per split.
        rotation = (rotation + 1) % assigned.count
        let share = max(1, maxRecords / assigned.count)
        for step in 0..<assigned.count {
            let split = assigned[(rotation + step) % assigned.count]
            guard let start = next[split] else { continue }
            let end = count.map { min($0, start + Int64(share)) } ?? start + Int64(share)
            if end > start {
                var chunk = SourceBatch<Element>.Chunk(split: split)
                let size = Int(end - start)
                chunk.values.reserveCapacity(size)
                chunk.offsets.reserveCapacity(size)
                chunk.timestamps.reserveCapacity(size)
                for index in start..<end {
                    chunk.values.append(element(split.partition, index))
                    chunk.offsets.append(index)
                    chunk.timestamps.append(timestamp(index))
                }
                batch.append(chunk)
                next[split] = end
            }
            if let count, end >= count, !endReported.contains(split) {
                endReported.insert(split)
                batch.markEnded(split)
            }
        }
    }
}
