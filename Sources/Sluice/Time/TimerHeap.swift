/// A place in a ``TimerHeap``: plain values only, so that code generic over keys still sifts
/// 24-byte values with specialized code instead of moving generic timers through value witnesses.
struct TimerHeapEntry {
    var timestamp: Int64
    /// Orders entries of one timestamp: the lower fires first.
    var sequence: UInt64
    /// What the entry stands for, in the owner's side table.
    var record: Int

    @inline(__always)
    func precedes(_ other: TimerHeapEntry) -> Bool {
        timestamp != other.timestamp ? timestamp < other.timestamp : sequence < other.sequence
    }
}

/// A binary min-heap of ``TimerHeapEntry`` in (timestamp, sequence) order: the time index of
/// ``TimerQueue`` and of ``FiringSchedule``.
struct TimerHeap {
    private var entries: [TimerHeapEntry] = []

    var count: Int { entries.count }

    /// The earliest entry.
    var first: TimerHeapEntry? { entries.first }

    mutating func push(_ entry: TimerHeapEntry) {
        // Moves parents down into the hole instead of swapping, and writes the entry once.
        entries.append(entry)
        var hole = entries.count - 1
        while hole > 0 {
            let parent = (hole - 1) / 2
            guard entry.precedes(entries[parent]) else { break }
            entries[hole] = entries[parent]
            hole = parent
        }
        entries[hole] = entry
    }

    /// Removes and returns the earliest entry; the heap must not be empty.
    @discardableResult
    mutating func removeFirst() -> TimerHeapEntry {
        let first = entries[0]
        let last = entries.removeLast()
        guard !entries.isEmpty else { return first }
        var hole = 0
        let count = entries.count
        while true {
            var child = 2 * hole + 1
            guard child < count else { break }
            if child + 1 < count, entries[child + 1].precedes(entries[child]) { child += 1 }
            guard entries[child].precedes(last) else { break }
            entries[hole] = entries[child]
            hole = child
        }
        entries[hole] = last
        return first
    }

    mutating func removeAll() {
        entries.removeAll()
    }
}
