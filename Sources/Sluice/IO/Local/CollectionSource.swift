/// A bounded source over an in-memory array, spread over one or more partitions.
///
/// Element `i` goes to partition `i % partitions` and gets, inside it, the offset of its rank
/// there, so a test can tell exactly which records a commit covers.
public final class CollectionSource<Element>: Source {
    /// The name given at creation; also the topic of its splits.
    public let name: String
    /// Always `true`: each split ends after its last element.
    public var isBounded: Bool { true }
    /// Always `true`: the elements live in this process.
    public var isInProcess: Bool { true }

    private var partitions: [[(value: Element, timestamp: Int64)]]
    private var cursor: [Split: Int] = [:]
    private var assigned: [Split] = []
    private var endReported: Set<Split> = []

    /// - Parameters:
    ///   - name: the name its splits carry as their topic.
    ///   - elements: values with their event timestamps in milliseconds.
    ///   - partitions: how many splits to spread the elements over.
    public init(name: String, elements: [(Element, Int64)], partitions: Int = 1) {
        precondition(partitions > 0, "a collection source needs at least one partition")
        self.name = name
        var spread = Array(repeating: [(value: Element, timestamp: Int64)](), count: partitions)
        for (index, element) in elements.enumerated() {
            spread[index % partitions].append((element.0, element.1))
        }
        self.partitions = spread
    }

    /// One split per partition, numbered from 0, with the source's name as topic.
    public func splits() -> [Split] {
        partitions.indices.map { Split(topic: name, partition: Int32($0)) }
    }

    /// Starts new splits at their position, or offset 0; splits already assigned keep theirs.
    public func assign(_ splits: [SplitStart]) {
        for start in splits where cursor[start.split] == nil {
            cursor[start.split] = Int(start.position ?? 0)
            assigned.append(start.split)
        }
    }

    /// Makes the element at `offset` in the split's partition the next one read.
    public func seek(_ split: Split, to offset: Int64) {
        cursor[split] = Int(offset)
    }

    /// Forgets the splits' positions; assigning them again starts at offset 0.
    public func revoke(_ splits: [Split]) {
        for split in splits { cursor[split] = nil }
        assigned.removeAll(where: splits.contains)
    }

    /// Never waits: appends what is left of each assigned split up to `maxRecords`, and marks a
    /// split ended once its last element is delivered.
    public func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<Element>) {
        var budget = maxRecords
        for split in assigned {
            guard let position = cursor[split] else { continue }
            let records = partitions[Int(split.partition)]
            let end = min(records.count, position + max(budget, 0))
            if end > position {
                var chunk = SourceBatch<Element>.Chunk(split: split)
                chunk.values.reserveCapacity(end - position)
                for offset in position..<end {
                    chunk.values.append(records[offset].value)
                    chunk.offsets.append(Int64(offset))
                    chunk.timestamps.append(records[offset].timestamp)
                }
                batch.append(chunk)
                budget -= end - position
                cursor[split] = end
            }
            if end == records.count, !endReported.contains(split) {
                endReported.insert(split)
                batch.markEnded(split)
            }
        }
    }
}
