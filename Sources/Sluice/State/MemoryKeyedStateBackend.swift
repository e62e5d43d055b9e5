/// The memory backend of one operator in one task: one dictionary per registered state,
/// keyed by the stream key.
public final class MemoryKeyedStateBackend<Key: Hashable>: KeyedStateBackend {
    private static var formatVersion: UInt8 { 1 }

    private let keyCodec: (any Codec<Key>)?
    private let operatorName: String
    private let cursor = KeyCursor<Key>()
    private var tables: [String: MemoryStateTable<Key>] = [:]
    private var tableOrder: [String] = []
    /// Snapshot entries of states the operator has not registered yet, decoded when it does.
    private var pendingRestore: [String: [(key: [UInt8], payload: [UInt8])]] = [:]

    /// - Parameters:
    ///   - keyCodec: encodes keys in snapshots; with `nil`, ``snapshot()`` and
    ///     ``restore(from:)`` throw.
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

    /// Registers (or finds) the contents of a window operator.
    func windowState<Accumulator>(_ name: String) throws -> MemoryWindowState<Key, Accumulator> {
        try register(name) { MemoryWindowState<Key, Accumulator>(name: name) }
    }

    /// Keys of registered states only: entries restored for states not registered yet do not
    /// count.
    public var keys: [Key] {
        var seen = Set<Key>()
        for name in tableOrder { seen.formUnion(tables[name]!.keys) }
        return Array(seen)
    }

    /// Includes restored entries of states not registered yet, so a snapshot loses nothing.
    public func snapshot() throws -> [UInt8] {
        guard let keyCodec else {
            throw StateError.notSnapshottable("the keys of operator '\(operatorName)'")
        }
        var writer = SnapshotWriter()
        writer.write(Self.formatVersion)
        writer.write(UInt32(tableOrder.count + pendingRestore.count))
        for name in tableOrder {
            let entries = try tables[name]!.encodedEntries(keyCodec: keyCodec)
            write(name: name, entries: entries, to: &writer)
        }
        for (name, entries) in pendingRestore.sorted(by: { $0.key < $1.key }) {
            write(name: name, entries: entries, to: &writer)
        }
        return writer.bytes
    }

    /// Replaces registered states at once; states registered later receive their entries then.
    public func restore(from snapshot: [UInt8]) throws {
        guard let keyCodec else {
            throw StateError.notSnapshottable("the keys of operator '\(operatorName)'")
        }
        var reader = SnapshotReader(snapshot)
        let version = try reader.readUInt8()
        guard version == Self.formatVersion else {
            throw StateError.corruptSnapshot("unknown format version \(version)")
        }
        var restored: [String: [(key: [UInt8], payload: [UInt8])]] = [:]
        for _ in 0..<(try reader.readUInt32()) {
            let name = try reader.readString()
            var entries: [(key: [UInt8], payload: [UInt8])] = []
            for _ in 0..<(try reader.readUInt32()) {
                entries.append((try reader.readBytes(), try reader.readBytes()))
            }
            restored[name] = entries
        }
        guard reader.isAtEnd else { throw StateError.corruptSnapshot("trailing bytes") }
        pendingRestore = [:]
        for name in tableOrder {
            try tables[name]!.replaceContents(with: restored.removeValue(forKey: name) ?? [], keyCodec: keyCodec)
        }
        pendingRestore = restored
    }

    private func write(name: String, entries: [(key: [UInt8], payload: [UInt8])], to writer: inout SnapshotWriter) {
        writer.write(string: name)
        writer.write(UInt32(entries.count))
        for entry in entries {
            writer.write(bytes: entry.key)
            writer.write(bytes: entry.payload)
        }
    }

    private func register<Table: MemoryStateTable<Key>>(_ name: String, make: () -> Table) throws -> Table {
        if let existing = tables[name] {
            guard let table = existing as? Table else { throw StateError.conflictingRegistration(name) }
            return table
        }
        let table = make()
        tables[name] = table
        tableOrder.append(name)
        if let entries = pendingRestore.removeValue(forKey: name) {
            guard let keyCodec else { throw StateError.notSnapshottable("the keys of operator '\(operatorName)'") }
            try table.replaceContents(with: entries, keyCodec: keyCodec)
        }
        return table
    }
}
