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
///
/// Each pending timer remembers the sequence number of its live heap entry, its place among
/// timers of the same timestamp. A checkpoint keeps it (``forEachPending(_:)``), so restored
/// timers fire in the same order as the originals would have; any other heap entry of the timer
/// is stale (deleted, or fired and registered again) and skipped.
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
    private var pending: [Timer<Key, Namespace>: UInt64] = [:]
    private var nextSequence: UInt64 = 0

    var count: Int { pending.count }

    var isEmpty: Bool { pending.isEmpty }

    /// Returns whether `timer` was new; a timer already pending keeps its place.
    @discardableResult
    mutating func register(_ timer: Timer<Key, Namespace>) -> Bool {
        if let live = pending.updateValue(nextSequence, forKey: timer) {
            pending[timer] = live
            return false
        }
        push(Entry(timer: timer, sequence: nextSequence))
        nextSequence &+= 1
        return true
    }

    /// Returns whether `timer` was pending.
    @discardableResult
    mutating func delete(_ timer: Timer<Key, Namespace>) -> Bool {
        pending.removeValue(forKey: timer) != nil
    }

    /// Removes and returns the earliest pending timer due at or before `time`.
    mutating func popDue(atOrBefore time: Int64) -> Timer<Key, Namespace>? {
        while let first = heap.first, first.timer.timestamp <= time {
            removeFirst()
            if let live = pending.removeValue(forKey: first.timer) {
                if live == first.sequence { return first.timer }
                // A stale entry of a timer deleted and registered again: the live entry surfaces later.
                pending[first.timer] = live
            }
        }
        return nil
    }

    /// Calls `body` with every pending timer and its sequence number, in no particular order.
    func forEachPending(_ body: (Timer<Key, Namespace>, UInt64) throws -> Void) rethrows {
        for (timer, sequence) in pending { try body(timer, sequence) }
    }

    /// Adds a timer a checkpoint captured with its sequence number; later registrations line up
    /// after it.
    mutating func restore(_ timer: Timer<Key, Namespace>, sequence: UInt64) {
        pending[timer] = sequence
        push(Entry(timer: timer, sequence: sequence))
        nextSequence = max(nextSequence, sequence &+ 1)
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        siftUp(heap.count - 1)
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
