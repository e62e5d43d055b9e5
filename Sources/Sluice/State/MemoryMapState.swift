/// A ``MapState`` in memory: one dictionary per key, absent when empty.
final class MemoryMapState<Key: Hashable, MapKey: Hashable, Value>: MemoryDictionaryTable<Key, [MapKey: Value]>, MapState {
    private let mapKeyCodec: (any Codec<MapKey>)?
    private let valueCodec: (any Codec<Value>)?

    init(name: String, cursor: KeyCursor<Key>, keyCodec: (any Codec<MapKey>)?, valueCodec: (any Codec<Value>)?) {
        self.mapKeyCodec = keyCodec
        self.valueCodec = valueCodec
        super.init(name: name, cursor: cursor)
    }

    func get(_ key: MapKey) -> Value? { data[cursor.current]?[key] }

    func put(_ key: MapKey, _ value: Value) {
        let current = cursor.current
        data[current, default: [:]][key] = value
        noteChange(current)
    }

    func remove(_ key: MapKey) {
        let current = cursor.current
        guard data[current]?.removeValue(forKey: key) != nil else { return }
        if data[current]?.isEmpty == true { data[current] = nil }
        noteChange(current)
    }

    func contains(_ key: MapKey) -> Bool { data[cursor.current]?[key] != nil }

    func entries() -> [(key: MapKey, value: Value)] {
        data[cursor.current].map { $0.map { ($0.key, $0.value) } } ?? []
    }

    var isEmpty: Bool { data[cursor.current]?.isEmpty ?? true }

    func clear() {
        let current = cursor.current
        data[current] = nil
        noteChange(current)
    }

    override func checkEncodable() throws {
        try checkCodec(mapKeyCodec, for: MapKey.self)
        try checkCodec(valueCodec, for: Value.self)
    }

    /// The entry count, then each map key and value length-prefixed.
    override func encode(_ map: [MapKey: Value]) throws -> [UInt8] {
        let mapKeyCodec = try requireCodec(mapKeyCodec, of: "the map keys")
        let valueCodec = try requireCodec(valueCodec)
        var writer = SnapshotWriter()
        writer.write(UInt32(map.count))
        for (mapKey, value) in map {
            writer.write(bytes: try mapKeyCodec.serialize(mapKey))
            writer.write(bytes: try valueCodec.serialize(value))
        }
        return writer.bytes
    }

    override func decode(_ payload: [UInt8]) throws -> [MapKey: Value] {
        let mapKeyCodec = try requireCodec(mapKeyCodec, of: "the map keys")
        let valueCodec = try requireCodec(valueCodec)
        var reader = SnapshotReader(payload)
        var map: [MapKey: Value] = [:]
        for _ in 0..<(try reader.readUInt32()) {
            map[try mapKeyCodec.deserialize(try reader.readBytes())] = try valueCodec.deserialize(try reader.readBytes())
        }
        guard reader.isAtEnd else { throw StateError.corruptSnapshot("trailing bytes in an entry of map state '\(name)'") }
        return map
    }
}
