/// The contents of one event-time window operator: per key, its open windows and their
/// accumulators.
///
/// The window operator touches this state for every element, and its code runs unspecialized
/// (it is generic over the user's key and accumulator types and instantiated inside Sluice), where
/// every nested generic type such as `[Key: [TimeWindow: Accumulator]]` or `Optional<Key>` costs a
/// runtime metadata lookup per use. So the layout avoids them: one `[Key: Int]` lookup finds the
/// key's slot, the key's windows are a short linked list through flat arrays of concrete types,
/// and the accumulators sit in memory managed by hand (see ``accumulator(at:)``). Removal moves
/// the last slot or entry into the hole, so storage stays dense and nothing freed keeps a key or
/// accumulator alive.
///
/// The per-element properties opt out of run-time exclusivity checks, which would otherwise be
/// several `swift_beginAccess` calls per element: they are written only inside this class and
/// only on the owning task's thread, and while one of them is being accessed the only other code
/// that runs is the key's `Hashable` conformance, which cannot reach this internal object, so
/// accesses cannot overlap.
///
/// In the memory backend the operator registers it like any other state, so ``keys`` and
/// snapshots see it; like the map state it replaces, it has no value codec, so snapshots and
/// restores that reach it throw ``StateError/notSnapshottable(_:)``.
final class MemoryWindowState<Key: Hashable, Accumulator>: MemoryStateTable<Key> {
    /// The slot of every key with at least one window.
    @exclusivity(unchecked) private var slotOfKey: [Key: Int] = [:]
    /// Per slot: its key and the index of its first entry.
    private var slotKeys: [Key] = []
    @exclusivity(unchecked) private var firstEntry: [Int] = []
    /// Per entry (one key's window): the window, the key's next entry (`-1` ends the list) and
    /// the key's slot.
    @exclusivity(unchecked) private(set) var windows: [TimeWindow] = []
    @exclusivity(unchecked) private var nextEntry: [Int] = []
    @exclusivity(unchecked) private var entrySlot: [Int] = []
    /// Per entry, its accumulator; the first `windows.count` are initialized. Element access
    /// through a pointer needs only `Accumulator`'s value witnesses, where a mutation of an
    /// `[Accumulator]` in unspecialized code looks up the array type's metadata every time.
    @exclusivity(unchecked) private var accumulators: UnsafeMutablePointer<Accumulator>
    @exclusivity(unchecked) private var accumulatorCapacity = 16

    override init(name: String) {
        accumulators = .allocate(capacity: accumulatorCapacity)
        super.init(name: name)
    }

    deinit {
        accumulators.deinitialize(count: windows.count)
        accumulators.deallocate()
    }

    /// The accumulator of `entry`.
    @inline(__always)
    func accumulator(at entry: Int) -> Accumulator {
        accumulators[entry]
    }

    /// Replaces the accumulator of `entry`.
    @inline(__always)
    func setAccumulator(_ accumulator: Accumulator, at entry: Int) {
        accumulators[entry] = accumulator
    }

    /// The slot of `key`, or `nil` when it has no windows.
    @inline(__always)
    func slot(of key: Key) -> Int? {
        slotOfKey[key]
    }

    /// Gives `key`, which has no slot yet, an empty one.
    func addSlot(_ key: Key) -> Int {
        let slot = slotKeys.count
        slotOfKey[key] = slot
        slotKeys.append(key)
        firstEntry.append(-1)
        return slot
    }

    /// The entry of `window` in `slot`, or `nil` when the key does not have that window.
    @inline(__always)
    func entry(in slot: Int, window: TimeWindow) -> Int? {
        var entry = firstEntry[slot]
        while entry >= 0 {
            if windows[entry] == window { return entry }
            entry = nextEntry[entry]
        }
        return nil
    }

    /// Every entry of `slot`, newest first.
    func entries(in slot: Int) -> [Int] {
        var result: [Int] = []
        var entry = firstEntry[slot]
        while entry >= 0 {
            result.append(entry)
            entry = nextEntry[entry]
        }
        return result
    }

    /// Adds `window` with `accumulator` to `slot`, which does not have it yet.
    func addEntry(in slot: Int, window: TimeWindow, accumulator: Accumulator) -> Int {
        let entry = windows.count
        if entry == accumulatorCapacity {
            let grown = UnsafeMutablePointer<Accumulator>.allocate(capacity: accumulatorCapacity * 2)
            grown.moveInitialize(from: accumulators, count: entry)
            accumulators.deallocate()
            accumulators = grown
            accumulatorCapacity *= 2
        }
        (accumulators + entry).initialize(to: accumulator)
        windows.append(window)
        nextEntry.append(firstEntry[slot])
        entrySlot.append(slot)
        firstEntry[slot] = entry
        return entry
    }

    /// Removes `entry`, and its key's slot when that was the key's last window. Invalidates the
    /// indices of the last slot and the last entry, which move into the holes.
    func removeEntry(_ entry: Int) {
        let slot = entrySlot[entry]
        unlink(entry, from: slot)
        if firstEntry[slot] < 0 { removeSlot(slot) }
        let last = windows.count - 1
        if entry != last {
            windows[entry] = windows[last]
            nextEntry[entry] = nextEntry[last]
            entrySlot[entry] = entrySlot[last]
            accumulators[entry] = (accumulators + last).move()
            relink(last, to: entry)
        } else {
            (accumulators + last).deinitialize(count: 1)
        }
        windows.removeLast()
        nextEntry.removeLast()
        entrySlot.removeLast()
    }

    private func unlink(_ entry: Int, from slot: Int) {
        if firstEntry[slot] == entry {
            firstEntry[slot] = nextEntry[entry]
            return
        }
        var previous = firstEntry[slot]
        while nextEntry[previous] != entry { previous = nextEntry[previous] }
        nextEntry[previous] = nextEntry[entry]
    }

    /// Points whatever referred to entry `old` (its slot's head or its predecessor) at `new`.
    private func relink(_ old: Int, to new: Int) {
        let slot = entrySlot[new]
        if firstEntry[slot] == old {
            firstEntry[slot] = new
            return
        }
        var previous = firstEntry[slot]
        while nextEntry[previous] != old { previous = nextEntry[previous] }
        nextEntry[previous] = new
    }

    /// Removes the empty `slot`, moving the last slot into its place.
    private func removeSlot(_ slot: Int) {
        slotOfKey[slotKeys[slot]] = nil
        let last = slotKeys.count - 1
        if slot != last {
            slotKeys.swapAt(slot, last)
            firstEntry[slot] = firstEntry[last]
            slotOfKey[slotKeys[slot]] = slot
            var entry = firstEntry[slot]
            while entry >= 0 {
                entrySlot[entry] = slot
                entry = nextEntry[entry]
            }
        }
        slotKeys.removeLast()
        firstEntry.removeLast()
    }

    override var keys: [Key] { slotKeys }

    override func encodedEntries(keyCodec: any Codec<Key>) throws -> [(key: [UInt8], payload: [UInt8])] {
        throw StateError.notSnapshottable("state '\(name)'")
    }

    override func replaceContents(with entries: [(key: [UInt8], payload: [UInt8])], keyCodec: any Codec<Key>) throws {
        throw StateError.notSnapshottable("state '\(name)'")
    }
}
