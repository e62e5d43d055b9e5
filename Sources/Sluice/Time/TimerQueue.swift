/// A timer of a keyed operator: when it fires, for which key, in which namespace (the window,
/// for window operators).
struct Timer<Key: Hashable, Namespace: Hashable>: Hashable {
    var timestamp: Int64
    var key: Key
    var namespace: Namespace
}

/// Pending timers of one time domain in one operator of one task, fired in timestamp order
/// (ties in registration order).
///
/// Registering a timer that is already pending does nothing, like Flink. Deletion is lazy: the
/// timer leaves the pending set at once and its heap entry is skipped when it surfaces, which
/// keeps deletion O(1) for session windows that merge often.
struct TimerQueue<Key: Hashable, Namespace: Hashable> {
    private struct Entry {
        var timer: Timer<Key, Namespace>
        var sequence: UInt64

        func precedes(_ other: Entry) -> Bool {
            timer.timestamp != other.timer.timestamp
                ? timer.timestamp < other.timer.timestamp : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    private var pending: Set<Timer<Key, Namespace>> = []
    private var nextSequence: UInt64 = 0

    var count: Int { pending.count }

    var isEmpty: Bool { pending.isEmpty }

    mutating func register(_ timer: Timer<Key, Namespace>) {
        guard pending.insert(timer).inserted else { return }
        heap.append(Entry(timer: timer, sequence: nextSequence))
        nextSequence &+= 1
        siftUp(heap.count - 1)
    }

    mutating func delete(_ timer: Timer<Key, Namespace>) {
        pending.remove(timer)
    }

    /// Removes and returns the earliest pending timer due at or before `time`.
    mutating func popDue(atOrBefore time: Int64) -> Timer<Key, Namespace>? {
        while let first = heap.first, first.timer.timestamp <= time {
            removeFirst()
            if pending.remove(first.timer) != nil { return first.timer }
        }
        return nil
    }

    private mutating func removeFirst() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var first = parent
            if left < heap.count, heap[left].precedes(heap[first]) { first = left }
            if right < heap.count, heap[right].precedes(heap[first]) { first = right }
            if first == parent { return }
            heap.swapAt(parent, first)
            parent = first
        }
    }
}
