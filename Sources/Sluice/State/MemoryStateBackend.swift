/// Keeps keyed state in process memory: fast, bounded by RAM, lost with the process unless a
/// checkpoint snapshots it.
public struct MemoryStateBackend: StateBackend {
    /// The memory backend; it has no settings.
    public init() {}

    /// A new ``MemoryKeyedStateBackend``; `task` is unused, since each task keeps its own.
    public func makeKeyedBackend<Key: Hashable>(
        keyCodec: (any Codec<Key>)?, operatorName: String, task: TaskID
    ) -> any KeyedStateBackend<Key> {
        MemoryKeyedStateBackend<Key>(keyCodec: keyCodec, operatorName: operatorName)
    }
}

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

/// The key the state handles of one backend read and write, shared by reference so setting it
/// once reaches every handle.
final class KeyCursor<Key> {
    var key: Key?

    var current: Key {
        guard let key else { preconditionFailure("keyed state used outside a keyed context") }
        return key
    }
}

/// What every memory state table can do for snapshots, whatever its kind.
class MemoryStateTable<Key: Hashable> {
    let name: String

    init(name: String) {
        self.name = name
    }

    var keys: [Key] { preconditionFailure("subclass responsibility") }

    func encodedEntries(keyCodec: any Codec<Key>) throws -> [(key: [UInt8], payload: [UInt8])] {
        preconditionFailure("subclass responsibility")
    }

    func replaceContents(with entries: [(key: [UInt8], payload: [UInt8])], keyCodec: any Codec<Key>) throws {
        preconditionFailure("subclass responsibility")
    }

    func requireCodec<Value>(_ codec: (any Codec<Value>)?) throws -> any Codec<Value> {
        guard let codec else { throw StateError.notSnapshottable("state '\(name)'") }
        return codec
    }
}

final class MemoryValueState<Key: Hashable, Value>: MemoryStateTable<Key>, ValueState {
    private let cursor: KeyCursor<Key>
    private var data: [Key: Value] = [:]
    private let codec: (any Codec<Value>)?

    init(name: String, cursor: KeyCursor<Key>, codec: (any Codec<Value>)?) {
        self.codec = codec
        self.cursor = cursor
        super.init(name: name)
    }

    func value() -> Value? { data[cursor.current] }

    func update(_ value: Value?) { data[cursor.current] = value }

    func clear() { data[cursor.current] = nil }

    override var keys: [Key] { Array(data.keys) }

    override func encodedEntries(keyCodec: any Codec<Key>) throws -> [(key: [UInt8], payload: [UInt8])] {
        let codec = try requireCodec(codec)
        return try data.map { (try keyCodec.serialize($0.key), try codec.serialize($0.value)) }
    }

    override func replaceContents(with entries: [(key: [UInt8], payload: [UInt8])], keyCodec: any Codec<Key>) throws {
        let codec = try requireCodec(codec)
        data = [:]
        for entry in entries {
            data[try keyCodec.deserialize(entry.key)] = try codec.deserialize(entry.payload)
        }
    }
}

final class MemoryListState<Key: Hashable, Element>: MemoryStateTable<Key>, ListState {
    private let cursor: KeyCursor<Key>
    private var data: [Key: [Element]] = [:]
    private let codec: (any Codec<Element>)?

    init(name: String, cursor: KeyCursor<Key>, codec: (any Codec<Element>)?) {
        self.codec = codec
        self.cursor = cursor
        super.init(name: name)
    }

    func get() -> [Element] { data[cursor.current] ?? [] }

    func add(_ element: Element) { data[cursor.current, default: []].append(element) }

    func update(_ elements: [Element]) { data[cursor.current] = elements.isEmpty ? nil : elements }

    func clear() { data[cursor.current] = nil }

    override var keys: [Key] { Array(data.keys) }

    override func encodedEntries(keyCodec: any Codec<Key>) throws -> [(key: [UInt8], payload: [UInt8])] {
        let codec = try requireCodec(codec)
        return try data.map { key, elements in
            var writer = SnapshotWriter()
            writer.write(UInt32(elements.count))
            for element in elements { writer.write(bytes: try codec.serialize(element)) }
            return (try keyCodec.serialize(key), writer.bytes)
        }
    }

    override func replaceContents(with entries: [(key: [UInt8], payload: [UInt8])], keyCodec: any Codec<Key>) throws {
        let codec = try requireCodec(codec)
        data = [:]
        for entry in entries {
            var reader = SnapshotReader(entry.payload)
            var elements: [Element] = []
            for _ in 0..<(try reader.readUInt32()) {
                elements.append(try codec.deserialize(try reader.readBytes()))
            }
            data[try keyCodec.deserialize(entry.key)] = elements
        }
    }
}

final class MemoryMapState<Key: Hashable, MapKey: Hashable, Value>: MemoryStateTable<Key>, MapState {
    private let cursor: KeyCursor<Key>
    private var data: [Key: [MapKey: Value]] = [:]
    private let mapKeyCodec: (any Codec<MapKey>)?
    private let valueCodec: (any Codec<Value>)?

    init(name: String, cursor: KeyCursor<Key>, keyCodec: (any Codec<MapKey>)?, valueCodec: (any Codec<Value>)?) {
        self.mapKeyCodec = keyCodec
        self.valueCodec = valueCodec
        self.cursor = cursor
        super.init(name: name)
    }

    func get(_ key: MapKey) -> Value? { data[cursor.current]?[key] }

    func put(_ key: MapKey, _ value: Value) { data[cursor.current, default: [:]][key] = value }

    func remove(_ key: MapKey) {
        let current = cursor.current
        data[current]?[key] = nil
        if data[current]?.isEmpty == true { data[current] = nil }
    }

    func contains(_ key: MapKey) -> Bool { data[cursor.current]?[key] != nil }

    func entries() -> [(key: MapKey, value: Value)] {
        data[cursor.current].map { $0.map { ($0.key, $0.value) } } ?? []
    }

    var isEmpty: Bool { data[cursor.current]?.isEmpty ?? true }

    func clear() { data[cursor.current] = nil }

    override var keys: [Key] { Array(data.keys) }

    override func encodedEntries(keyCodec: any Codec<Key>) throws -> [(key: [UInt8], payload: [UInt8])] {
        guard let mapKeyCodec else { throw StateError.notSnapshottable("the map keys of state '\(name)'") }
        let valueCodec = try requireCodec(valueCodec)
        return try data.map { key, map in
            var writer = SnapshotWriter()
            writer.write(UInt32(map.count))
            for (mapKey, value) in map {
                writer.write(bytes: try mapKeyCodec.serialize(mapKey))
                writer.write(bytes: try valueCodec.serialize(value))
            }
            return (try keyCodec.serialize(key), writer.bytes)
        }
    }

    override func replaceContents(with entries: [(key: [UInt8], payload: [UInt8])], keyCodec: any Codec<Key>) throws {
        guard let mapKeyCodec else { throw StateError.notSnapshottable("the map keys of state '\(name)'") }
        let valueCodec = try requireCodec(valueCodec)
        data = [:]
        for entry in entries {
            var reader = SnapshotReader(entry.payload)
            var map: [MapKey: Value] = [:]
            for _ in 0..<(try reader.readUInt32()) {
                map[try mapKeyCodec.deserialize(try reader.readBytes())] = try valueCodec.deserialize(try reader.readBytes())
            }
            data[try keyCodec.deserialize(entry.key)] = map
        }
    }
}
