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
/// timers fire in the same order as the originals would have.
///
/// The queue's code runs unspecialized (it is generic over the user's key and instantiated inside
/// Sluice), so the heap holds only plain values (``TimerHeapEntry``: timestamp, sequence and the
/// index of a record) and sifts with specialized code; the timers themselves sit in a side table
/// of records, touched once when a timer is registered and once when it fires. A record lives as
/// long as its heap entry: a deleted timer's record is marked dead and freed when its entry
/// surfaces, so a free record holds no key.
struct TimerQueue<Key: Hashable, Namespace: Hashable> {
    private var heap = TimerHeap()
    /// Every pending timer and its record.
    private var pending: [Timer<Key, Namespace>: Int] = [:]
    /// Per record: its timer (`nil` when the record is free), its sequence number, and whether
    /// its timer is still pending (`false` once deleted, until the heap entry surfaces).
    private var records: [Timer<Key, Namespace>?] = []
    private var sequences: [UInt64] = []
    private var isPending: [Bool] = []
    private var freeRecords: [Int] = []
    private var nextSequence: UInt64 = 0

    var count: Int { pending.count }

    var isEmpty: Bool { pending.isEmpty }

    /// Returns whether `timer` was new; a timer already pending keeps its place.
    @discardableResult
    mutating func register(_ timer: Timer<Key, Namespace>) -> Bool {
        // One dictionary operation for a new timer; an already pending one takes a second.
        let record = allocate(timer, sequence: nextSequence)
        if let live = pending.updateValue(record, forKey: timer) {
            pending[timer] = live
            release(record)
            return false
        }
        heap.push(TimerHeapEntry(timestamp: timer.timestamp, sequence: nextSequence, record: record))
        nextSequence &+= 1
        return true
    }

    /// Returns whether `timer` was pending.
    @discardableResult
    mutating func delete(_ timer: Timer<Key, Namespace>) -> Bool {
        guard let record = pending.removeValue(forKey: timer) else { return false }
        isPending[record] = false
        return true
    }

    /// Removes and returns the earliest pending timer due at or before `time`.
    mutating func popDue(atOrBefore time: Int64) -> Timer<Key, Namespace>? {
        while let first = heap.first, first.timestamp <= time {
            heap.removeFirst()
            let record = first.record
            guard isPending[record], let timer = records[record] else {
                // Deleted (and maybe registered again, with a record of its own).
                release(record)
                continue
            }
            release(record)
            pending.removeValue(forKey: timer)
            return timer
        }
        return nil
    }

    /// Calls `body` with every pending timer and its sequence number, in no particular order.
    func forEachPending(_ body: (Timer<Key, Namespace>, UInt64) throws -> Void) rethrows {
        for (timer, record) in pending { try body(timer, sequences[record]) }
    }

    /// Adds a timer a checkpoint captured with its sequence number; later registrations line up
    /// after it.
    mutating func restore(_ timer: Timer<Key, Namespace>, sequence: UInt64) {
        let record = allocate(timer, sequence: sequence)
        if let replaced = pending.updateValue(record, forKey: timer) { isPending[replaced] = false }
        heap.push(TimerHeapEntry(timestamp: timer.timestamp, sequence: sequence, record: record))
        nextSequence = max(nextSequence, sequence &+ 1)
    }

    /// A record holding `timer`, pending.
    private mutating func allocate(_ timer: Timer<Key, Namespace>, sequence: UInt64) -> Int {
        if let record = freeRecords.popLast() {
            records[record] = timer
            sequences[record] = sequence
            isPending[record] = true
            return record
        }
        records.append(timer)
        sequences.append(sequence)
        isPending.append(true)
        return records.count - 1
    }

    private mutating func release(_ record: Int) {
        records[record] = nil
        freeRecords.append(record)
    }
}
