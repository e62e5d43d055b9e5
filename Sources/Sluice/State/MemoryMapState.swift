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
