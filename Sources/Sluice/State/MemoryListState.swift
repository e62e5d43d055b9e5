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
