/// The memory backend of one operator in one task: one dictionary per registered state,
/// keyed by the stream key.
public final class MemoryKeyedStateBackend<Key: Hashable>: KeyedStateBackend {
    /// Version 1 grouped entries by state; version 2 is a plain sequence of entries.
    private static var formatVersion: UInt8 { 2 }

    private let keyCodec: (any Codec<Key>)?
    private let operatorName: String
    private let cursor = KeyCursor<Key>()
    private var tables: [String: MemoryStateTable<Key>] = [:]
    private var tableOrder: [String] = []
    /// Restored payloads of states the operator has not registered yet, decoded when it does:
    /// without the state's descriptor there is no codec for them yet.
    private var pendingRestore: [String: [Key: [UInt8]]] = [:]

    /// - Parameters:
    ///   - keyCodec: encodes keys in snapshots; with `nil`, snapshots and restores throw.
    ///   - operatorName: names the operator in error messages.
    public init(keyCodec: (any Codec<Key>)?, operatorName: String) {
        self.keyCodec = keyCodec
        self.operatorName = operatorName
    }

    /// Shared by every state handle of this backend, so setting it moves them all at once.
    public var currentKey: Key? {
        get { cursor.key }
        set { cursor.key = newValue }
    }

    /// Applies to every state, including those registered later; each records the keys it
    /// writes in a set.
    public var tracksChanges = false {
        didSet {
            for table in tables.values { table.setTracksChanges(tracksChanges) }
        }
    }

    /// Registers (or finds) a value state kept in a dictionary by key.
    public func valueState<Value>(_ descriptor: ValueStateDescriptor<Value>) throws -> any ValueState<Value> {
        try register(descriptor.name) { MemoryValueState<Key, Value>(name: descriptor.name, cursor: cursor, codec: descriptor.codec) }
    }

    /// Registers (or finds) a list state kept in a dictionary by key.
    public func listState<Element>(_ descriptor: ListStateDescriptor<Element>) throws -> any ListState<Element> {
        try register(descriptor.name) { MemoryListState<Key, Element>(name: descriptor.name, cursor: cursor, codec: descriptor.codec) }
    }

    /// Registers (or finds) a map state kept in a dictionary by key.
    public func mapState<MapKey: Hashable, Value>(_ descriptor: MapStateDescriptor<MapKey, Value>) throws
        -> any MapState<MapKey, Value>
    {
        try register(descriptor.name) {
            MemoryMapState<Key, MapKey, Value>(
                name: descriptor.name, cursor: cursor, keyCodec: descriptor.keyCodec, valueCodec: descriptor.valueCodec)
        }
    }

    /// Registers (or finds) the contents of a window operator, kept like any other state of
    /// this backend.
    public func windowState<Accumulator>(
        _ descriptor: WindowStateDescriptor<Accumulator>
    ) throws -> MemoryWindowState<Key, Accumulator> {
        try register(descriptor.name) {
            MemoryWindowState<Key, Accumulator>(name: descriptor.name, accumulatorCodec: descriptor.accumulatorCodec)
        }
    }

    /// Keys of registered states only: entries restored for states not registered yet do not
    /// count.
    public var keys: [Key] {
        var seen = Set<Key>()
        for name in tableOrder { seen.formUnion(tables[name]!.keys) }
        return Array(seen)
    }

    /// Registered states in registration order, then restored entries of states not registered
    /// yet (in a full snapshot only: they cannot have changed), so a snapshot loses nothing.
    public func snapshotEntries(changesOnly: Bool, into body: (KeyedStateEntry) throws -> Void) throws {
        let keyCodec = try requireKeyCodec()
        if changesOnly, !tracksChanges {
            throw StateError.changesNotTracked("operator '\(operatorName)'")
        }
        for name in tableOrder {
            try tables[name]!.forEachEntry(changesOnly: changesOnly, keyCodec: keyCodec, body)
        }
        if !changesOnly {
            for (name, restored) in pendingRestore.sorted(by: { $0.key < $1.key }) {
                for (key, payload) in restored {
                    try body(KeyedStateEntry(state: name, key: try keyCodec.serialize(key), payload: payload))
                }
            }
        }
        for table in tables.values { table.forgetChanges() }
    }

    /// Decodes the entry's key at once and its payload when its state is registered.
    public func applyEntry(_ entry: KeyedStateEntry) throws {
        let key = try requireKeyCodec().deserialize(entry.key)
        if let table = tables[entry.state] {
            try table.apply(entry.payload, to: key)
        } else {
            pendingRestore[entry.state, default: [:]][key] = entry.payload
        }
    }

    /// The format version, then every entry of a full snapshot.
    public func snapshot() throws -> [UInt8] {
        var writer = SnapshotWriter()
        writer.write(Self.formatVersion)
        try snapshotEntries(changesOnly: false) { writer.write(entry: $0) }
        return writer.bytes
    }

    /// Reads every entry before touching the state, so corrupt bytes leave it as it was; states
    /// registered later receive their entries then.
    public func restore(from snapshot: [UInt8]) throws {
        _ = try requireKeyCodec()
        var reader = SnapshotReader(snapshot)
        let version = try reader.readUInt8()
        guard version == Self.formatVersion else {
            throw StateError.corruptSnapshot("unknown format version \(version)")
        }
        var entries: [KeyedStateEntry] = []
        while !reader.isAtEnd { entries.append(try reader.readEntry()) }
        for table in tables.values { table.removeAll() }
        pendingRestore = [:]
        for entry in entries { try applyEntry(entry) }
    }

    private func requireKeyCodec() throws -> any Codec<Key> {
        guard let keyCodec else { throw StateError.notSnapshottable("the keys of operator '\(operatorName)'") }
        return keyCodec
    }

    private func register<Table: MemoryStateTable<Key>>(_ name: String, make: () -> Table) throws -> Table {
        if let existing = tables[name] {
            guard let table = existing as? Table else { throw StateError.conflictingRegistration(name) }
            return table
        }
        let table = make()
        if tracksChanges {
            try table.checkEncodable()
            table.setTracksChanges(true)
        }
        if let restored = pendingRestore[name] {
            for (key, payload) in restored { try table.apply(payload, to: key) }
            pendingRestore[name] = nil
        }
        tables[name] = table
        tableOrder.append(name)
        return table
    }
}
