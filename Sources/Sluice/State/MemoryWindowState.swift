/// The contents of one window operator: per key, its open windows and their accumulators.
///
/// The window operator touches this state for every element, and its code runs unspecialized
/// (it is generic over the user's key and accumulator types and instantiated inside Sluice), where
/// every nested generic type such as `[Key: [TimeWindow: Accumulator]]` or `Optional<Key>` costs a
/// runtime metadata lookup per use. So the layout avoids them: one `[Key: Int]` lookup finds the
/// key's slot, the key's windows are a short linked list through flat arrays of concrete types,
/// and the keys and accumulators sit in memory managed by hand (see ``accumulator(at:)``).
///
/// Slots and entries never move: a removed entry, and a freed slot, go on a free list for the
/// next one to reuse, so slot numbers stay valid while the slot has windows and the operator can
/// keep them in its ``FiringSchedule``. Nothing freed keeps a key or accumulator alive.
///
/// A key whose last window goes keeps its slot (and its place in the `[Key: Int]` table) for a
/// while, because at high key cardinality the common case is a key that comes back in the next
/// window: keeping the slot saves a dictionary removal and insertion per key and window. Slots
/// emptied before one ``releaseIdleSlots()`` and still empty at the next are freed. An empty
/// slot is invisible: ``keys`` and snapshots skip it, and a changes-only snapshot reports its key
/// as removed.
///
/// The per-element properties opt out of run-time exclusivity checks, which would otherwise be
/// several `swift_beginAccess` calls per element: they are written only inside this class and
/// only on the owning task's thread, and while one of them is being accessed the only other code
/// that runs is the key's `Hashable` conformance, which cannot reach this object (only its
/// backend and the window operator hold it), so accesses cannot overlap.
///
/// A ``KeyedStateBackend`` holds it like any other state, so the backend's keys and snapshots
/// include it (``KeyedStateBackend/windowState(_:)``); outside Sluice it is an opaque handle
/// that only ``MemoryKeyedStateBackend/windowState(_:)`` makes and only the window operator
/// reads and writes. A snapshot entry holds one key's windows: their count, then per window its
/// start, end and encoded accumulator, oldest first.
///
/// Change tracking stays within the budget of the hot path: when off, a write costs one load
/// and branch more; when on, a per-slot flag says whether the key is already in the list of
/// changed keys, so a key costs one list append per snapshot interval and every later write
/// only a flag read. A key whose last window goes is recorded as it goes.
public final class MemoryWindowState<Key: Hashable, Accumulator>: MemoryStateTable<Key> {
    /// ``firstEntry`` of a slot in use whose key has no window left.
    private static var noEntry: Int { -1 }
    /// ``firstEntry`` of a free slot.
    private static var freeSlot: Int { -2 }

    /// The slot of every key with a slot in use.
    @exclusivity(unchecked) private var slotOfKey: [Key: Int] = [:]
    /// Per slot: its key (initialized while the slot is in use), and its first entry, or
    /// ``noEntry`` or ``freeSlot``.
    @exclusivity(unchecked) private var slotKeys: UnsafeMutablePointer<Key>
    @exclusivity(unchecked) private var slotCapacity = 16
    @exclusivity(unchecked) private var firstEntry: [Int] = []
    @exclusivity(unchecked) private var freeSlots: [Int] = []
    /// Slots emptied since the last ``releaseIdleSlots()``, and those emptied before it, which the
    /// next call frees if they are still empty and were not emptied again since; per slot, the
    /// number of releases before it was last emptied.
    @exclusivity(unchecked) private var vacatedSlots: [Int] = []
    private var idleSlots: [Int] = []
    @exclusivity(unchecked) private var vacatedAt: [Int] = []
    private var releases = 0
    /// Per entry (one key's window): the window, the key's next entry (`-1` ends the list) and
    /// the key's slot (`-1` for a free entry).
    @exclusivity(unchecked) private(set) var windows: [TimeWindow] = []
    @exclusivity(unchecked) private var nextEntry: [Int] = []
    @exclusivity(unchecked) private var entrySlot: [Int] = []
    @exclusivity(unchecked) private var freeEntries: [Int] = []
    /// Per entry, its accumulator, initialized for entries in use. Element access through a
    /// pointer needs only `Accumulator`'s value witnesses, where a mutation of an `[Accumulator]`
    /// in unspecialized code looks up the array type's metadata every time.
    @exclusivity(unchecked) private var accumulators: UnsafeMutablePointer<Accumulator>
    @exclusivity(unchecked) private var accumulatorCapacity = 16
    private let accumulatorCodec: (any Codec<Accumulator>)?
    /// Per slot, whether its key is in ``changedKeys`` already.
    @exclusivity(unchecked) private var slotChanged: [Bool] = []
    /// Keys whose windows changed since the last snapshot while tracking, in order of their first
    /// change; a key whose slot was freed and that came back appears twice.
    @exclusivity(unchecked) private(set) var changedKeys: [Key] = []

    init(name: String, accumulatorCodec: (any Codec<Accumulator>)?) {
        accumulators = .allocate(capacity: accumulatorCapacity)
        slotKeys = .allocate(capacity: slotCapacity)
        self.accumulatorCodec = accumulatorCodec
        super.init(name: name)
    }

    deinit {
        deinitializeAll()
        accumulators.deallocate()
        slotKeys.deallocate()
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

    /// The slot of `key`, or `nil` when it has none. A key whose windows are all gone may still
    /// have its (empty) slot.
    @inline(__always)
    func slot(of key: Key) -> Int? {
        slotOfKey[key]
    }

    /// The key of `slot`, which is in use.
    @inline(__always)
    func key(ofSlot slot: Int) -> Key {
        slotKeys[slot]
    }

    /// Gives `key`, which has no slot, an empty one.
    func addSlot(_ key: Key) -> Int {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            firstEntry[slot] = Self.noEntry
            slotChanged[slot] = false
            vacatedAt[slot] = -1
        } else {
            slot = firstEntry.count
            if slot == slotCapacity {
                slotKeys = Self.grow(slotKeys, capacity: &slotCapacity) { firstEntry[$0] != Self.freeSlot }
            }
            firstEntry.append(Self.noEntry)
            slotChanged.append(false)
            vacatedAt.append(0)
        }
        (slotKeys + slot).initialize(to: key)
        slotOfKey[key] = slot
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

    /// The entry of the window in `slot` whose last timestamp is `maxTimestamp`, or `nil`; for
    /// assigners that give a key at most one window per end.
    @inline(__always)
    func entry(in slot: Int, maxTimestamp: Int64) -> Int? {
        var entry = firstEntry[slot]
        while entry >= 0 {
            if windows[entry].maxTimestamp == maxTimestamp { return entry }
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
        let entry: Int
        if let free = freeEntries.popLast() {
            entry = free
            windows[entry] = window
            nextEntry[entry] = firstEntry[slot]
            entrySlot[entry] = slot
        } else {
            entry = windows.count
            if entry == accumulatorCapacity {
                accumulators = Self.grow(accumulators, capacity: &accumulatorCapacity) { entrySlot[$0] >= 0 }
            }
            windows.append(window)
            nextEntry.append(firstEntry[slot])
            entrySlot.append(slot)
        }
        (accumulators + entry).initialize(to: accumulator)
        firstEntry[slot] = entry
        if tracksChanges { markChanged(slot) }
        return entry
    }

    /// Removes `entry`. A slot left empty stays its key's until ``releaseIdleSlots()`` frees it.
    func removeEntry(_ entry: Int) {
        let slot = entrySlot[entry]
        unlink(entry, from: slot)
        (accumulators + entry).deinitialize(count: 1)
        entrySlot[entry] = -1
        freeEntries.append(entry)
        if firstEntry[slot] < 0 {
            vacatedSlots.append(slot)
            vacatedAt[slot] = releases
        }
        if tracksChanges { markChanged(slot) }
    }

    /// Frees the slots emptied before the previous call that stayed empty since, so a key that
    /// has no window for a whole interval between calls loses its slot; the window operator calls
    /// it after each round of firing. (A tumbling window's keys, emptied by one round, come back
    /// before the next round empties them again.)
    func releaseIdleSlots() {
        for slot in idleSlots where firstEntry[slot] == Self.noEntry && vacatedAt[slot] == releases - 1 {
            freeSlot(slot)
        }
        releases += 1
        swap(&idleSlots, &vacatedSlots)
        vacatedSlots.removeAll(keepingCapacity: true)
    }

    private func freeSlot(_ slot: Int) {
        slotOfKey[slotKeys[slot]] = nil
        (slotKeys + slot).deinitialize(count: 1)
        firstEntry[slot] = Self.freeSlot
        freeSlots.append(slot)
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

    /// Moves the initialized elements (those `isInUse` says) into storage of twice the capacity.
    private static func grow<Element>(
        _ storage: UnsafeMutablePointer<Element>, capacity: inout Int, isInUse: (Int) -> Bool
    ) -> UnsafeMutablePointer<Element> {
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        for index in 0..<capacity where isInUse(index) {
            (grown + index).moveInitialize(from: storage + index, count: 1)
        }
        storage.deallocate()
        capacity *= 2
        return grown
    }

    /// Puts `slot`'s key on the list of changed keys unless it is there already.
    @inline(__always)
    private func markChanged(_ slot: Int) {
        if !slotChanged[slot] {
            slotChanged[slot] = true
            changedKeys.append(slotKeys[slot])
        }
    }

    /// Whether `slot` is in use and has a window.
    @inline(__always)
    private func hasWindows(_ slot: Int) -> Bool {
        firstEntry[slot] >= 0
    }

    /// Calls `body` with every window of every key, and its slot.
    func forEachWindow(_ body: (_ slot: Int, _ window: TimeWindow) throws -> Void) rethrows {
        for slot in firstEntry.indices {
            var entry = firstEntry[slot]
            while entry >= 0 {
                try body(slot, windows[entry])
                entry = nextEntry[entry]
            }
        }
    }

    override var keys: [Key] {
        firstEntry.indices.filter(hasWindows).map { slotKeys[$0] }
    }

    override func checkEncodable() throws {
        try checkCodec(accumulatorCodec, for: Accumulator.self)
    }

    override func forEachEntry(
        changesOnly: Bool, keyCodec: any Codec<Key>, _ body: (KeyedStateEntry) throws -> Void
    ) throws {
        if changesOnly {
            var seen = Set<Key>()
            for key in changedKeys where seen.insert(key).inserted {
                var windows: [UInt8]?
                if let slot = slotOfKey[key], hasWindows(slot) { windows = try payload(ofSlot: slot) }
                try body(KeyedStateEntry(state: name, key: try keyCodec.serialize(key), payload: windows))
            }
        } else {
            for slot in firstEntry.indices where hasWindows(slot) {
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
            if let slot = slotOfKey[key] {
                while hasWindows(slot) { removeEntry(firstEntry[slot]) }
            }
            for (window, accumulator) in restored {
                _ = addEntry(in: slotOfKey[key] ?? addSlot(key), window: window, accumulator: accumulator)
            }
        }
    }

    override func removeAll() {
        deinitializeAll()
        slotOfKey = [:]
        firstEntry = []
        freeSlots = []
        vacatedSlots = []
        idleSlots = []
        vacatedAt = []
        windows = []
        nextEntry = []
        entrySlot = []
        freeEntries = []
        slotChanged = []
        changedKeys = []
    }

    /// Deinitializes the keys of slots in use and the accumulators of entries in use.
    private func deinitializeAll() {
        for slot in firstEntry.indices where firstEntry[slot] != Self.freeSlot {
            (slotKeys + slot).deinitialize(count: 1)
        }
        for entry in entrySlot.indices where entrySlot[entry] >= 0 {
            (accumulators + entry).deinitialize(count: 1)
        }
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
