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
/// snapshots see it. A snapshot entry holds one key's windows: their count, then per window its
/// start, end and encoded accumulator, oldest first.
///
/// Change tracking stays within the budget of the hot path: when off, a write costs one load
/// and branch more; when on, a per-slot flag says whether the key is already in the list of
/// changed keys, so a key costs one list append per snapshot interval and every later write
/// only a flag read. A removed slot's key is recorded as it goes, and the flag moves with the
/// slot that fills the hole.
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
    private let accumulatorCodec: (any Codec<Accumulator>)?
    /// Per slot, whether its key is in ``changedKeys`` already.
    @exclusivity(unchecked) private var slotChanged: [Bool] = []
    /// Keys whose windows changed since the last snapshot while tracking, in order of their first
    /// change; a key removed and added again appears twice.
    private(set) var changedKeys: [Key] = []

    init(name: String, accumulatorCodec: (any Codec<Accumulator>)?) {
        accumulators = .allocate(capacity: accumulatorCapacity)
        self.accumulatorCodec = accumulatorCodec
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
        if tracksChanges { markChanged(entrySlot[entry]) }
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
        slotChanged.append(false)
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
        if tracksChanges { markChanged(slot) }
        return entry
    }

    /// Removes `entry`, and its key's slot when that was the key's last window. Invalidates the
    /// indices of the last slot and the last entry, which move into the holes.
    func removeEntry(_ entry: Int) {
        let slot = entrySlot[entry]
        unlink(entry, from: slot)
        if firstEntry[slot] < 0 {
            removeSlot(slot)
        } else if tracksChanges {
            markChanged(slot)
        }
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
        if tracksChanges { markChanged(slot) }
        slotOfKey[slotKeys[slot]] = nil
        let last = slotKeys.count - 1
        if slot != last {
            slotKeys.swapAt(slot, last)
            firstEntry[slot] = firstEntry[last]
            slotChanged[slot] = slotChanged[last]
            slotOfKey[slotKeys[slot]] = slot
            var entry = firstEntry[slot]
            while entry >= 0 {
                entrySlot[entry] = slot
                entry = nextEntry[entry]
            }
        }
        slotKeys.removeLast()
        firstEntry.removeLast()
        slotChanged.removeLast()
    }

    /// Puts `slot`'s key on the list of changed keys unless it is there already.
    @inline(__always)
    private func markChanged(_ slot: Int) {
        if !slotChanged[slot] {
            slotChanged[slot] = true
            changedKeys.append(slotKeys[slot])
        }
    }

    /// Calls `body` with every window of every key.
    func forEachWindow(_ body: (Key, TimeWindow) throws -> Void) rethrows {
        for slot in slotKeys.indices {
            var entry = firstEntry[slot]
            while entry >= 0 {
                try body(slotKeys[slot], windows[entry])
                entry = nextEntry[entry]
            }
        }
    }

    override var keys: [Key] { slotKeys }

    override func checkEncodable() throws {
        try checkCodec(accumulatorCodec, for: Accumulator.self)
    }

    override func forEachEntry(
        changesOnly: Bool, keyCodec: any Codec<Key>, _ body: (KeyedStateEntry) throws -> Void
    ) throws {
        if changesOnly {
            var seen = Set<Key>()
            for key in changedKeys where seen.insert(key).inserted {
                let payload = try slotOfKey[key].map(payload(ofSlot:))
                try body(KeyedStateEntry(state: name, key: try keyCodec.serialize(key), payload: payload))
            }
        } else {
            for slot in slotKeys.indices {
                try body(KeyedStateEntry(state: name, key: try keyCodec.serialize(slotKeys[slot]), payload: try payload(ofSlot: slot)))
            }
        }
    }

    override func forgetChanges() {
        for key in changedKeys {
            if let slot = slotOfKey[key] { slotChanged[slot] = false }
        }
        changedKeys.removeAll(keepingCapacity: true)
    }

    /// Decodes the whole payload before touching the key's windows, so bad bytes leave them as
    /// they were.
    override func apply(_ payload: [UInt8]?, to key: Key) throws {
        let restored = try payload.map(decode) ?? []
        withoutTracking {
            while let slot = slotOfKey[key] { removeEntry(firstEntry[slot]) }
            for (window, accumulator) in restored {
                _ = addEntry(in: slotOfKey[key] ?? addSlot(key), window: window, accumulator: accumulator)
            }
        }
    }

    override func removeAll() {
        accumulators.deinitialize(count: windows.count)
        slotOfKey = [:]
        slotKeys = []
        firstEntry = []
        windows = []
        nextEntry = []
        entrySlot = []
        slotChanged = []
        changedKeys = []
    }

    /// Oldest window first: restoring adds each in front of the list, which rebuilds it in the
    /// same order.
    private func payload(ofSlot slot: Int) throws -> [UInt8] {
        let codec = try requireCodec(accumulatorCodec, of: "the window accumulators")
        let entries = entries(in: slot)
        var writer = SnapshotWriter()
        writer.write(UInt32(entries.count))
        for entry in entries.reversed() {
            writer.write(windows[entry].start)
            writer.write(windows[entry].end)
            writer.write(bytes: try codec.serialize(accumulators[entry]))
        }
        return writer.bytes
    }

    private func decode(_ payload: [UInt8]) throws -> [(window: TimeWindow, accumulator: Accumulator)] {
        let codec = try requireCodec(accumulatorCodec, of: "the window accumulators")
        var reader = SnapshotReader(payload)
        var restored: [(window: TimeWindow, accumulator: Accumulator)] = []
        for _ in 0..<(try reader.readUInt32()) {
            let window = TimeWindow(start: try reader.readInt64(), end: try reader.readInt64())
            restored.append((window, try codec.deserialize(try reader.readBytes())))
        }
        guard reader.isAtEnd else { throw StateError.corruptSnapshot("trailing bytes in an entry of '\(name)'") }
        return restored
    }
}
