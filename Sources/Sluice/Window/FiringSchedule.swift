/// When a window operator's windows fire, kept per firing time instead of per key and window:
/// for each time, a bucket of the slots (in ``MemoryWindowState``) that have a window due then,
/// in the order they were added.
///
/// Windows of one size whose ends coincide (all keys of a tumbling window, all keys of one
/// sliding window) share one bucket, so creating a window costs an array append, and firing the
/// bucket walks an array; there is no heap entry per key and window, and nothing generic over
/// the key is touched. Each (slot, time) pair is added once, when the window is created: a
/// non-merging assigner gives a key at most one window per end, so the slot alone says which
/// window fires.
///
/// The schedule holds no keys and is not checkpointed: the operator rebuilds it from its
/// windows after a restore.
struct FiringSchedule {
    /// One entry per bucket, in (time, creation) order; an entry's record is its bucket's index.
    private var times = TimerHeap()
    private var bucketOfTime: [Int64: Int] = [:]
    private var buckets: [[Int]] = []
    private var freeBuckets: [Int] = []
    private var nextSequence: UInt64 = 0
    /// The bucket of the last ``add(_:at:)``: consecutive adds mostly share their time.
    private var lastTime: Int64 = 0
    private var lastBucket = -1
    /// The storage of the last fired bucket, for the next new bucket to reuse.
    private var spare: [Int] = []

    /// Whether no slot is due at any time.
    var isEmpty: Bool { bucketOfTime.isEmpty }

    /// Makes `slot` due at `time`, after the slots already due then.
    mutating func add(_ slot: Int, at time: Int64) {
        if lastBucket < 0 || time != lastTime {
            lastBucket = bucket(at: time)
            lastTime = time
        }
        buckets[lastBucket].append(slot)
    }

    /// Calls `body` with every slot due at or before `time`, bucket by bucket in time order and
    /// each bucket in the order its slots were added. Slots leave the schedule as they are
    /// handed over: when `body` throws, the slot it was given is gone and the rest stay due.
    /// `body` must not add to this schedule. Returns whether any slot was due.
    @discardableResult
    mutating func fireDue(atOrBefore time: Int64, _ body: (_ time: Int64, _ slot: Int) throws -> Void) rethrows -> Bool {
        var fired = false
        while let first = times.first, first.timestamp <= time {
            fired = true
            let index = first.record
            var slots: [Int] = []
            swap(&slots, &buckets[index])
            var position = 0
            defer {
                if position < slots.count {
                    slots.removeFirst(position)
                    swap(&slots, &buckets[index])
                } else {
                    times.removeFirst()
                    bucketOfTime[first.timestamp] = nil
                    freeBuckets.append(index)
                    if lastBucket == index { lastBucket = -1 }
                    if slots.capacity > spare.capacity {
                        slots.removeAll(keepingCapacity: true)
                        spare = slots
                    }
                }
            }
            while position < slots.count {
                let slot = slots[position]
                position += 1
                try body(first.timestamp, slot)
            }
        }
        return fired
    }

    /// Forgets every bucket.
    mutating func removeAll() {
        self = FiringSchedule()
    }

    /// The index of the bucket at `time`, created empty when there is none.
    private mutating func bucket(at time: Int64) -> Int {
        if let index = bucketOfTime[time] { return index }
        var storage: [Int] = []
        swap(&storage, &spare)
        let index: Int
        if let free = freeBuckets.popLast() {
            index = free
            buckets[index] = storage
        } else {
            index = buckets.count
            buckets.append(storage)
        }
        bucketOfTime[time] = index
        times.push(TimerHeapEntry(timestamp: time, sequence: nextSequence, record: index))
        nextSequence &+= 1
        return index
    }
}
