/// A ``ListState`` in memory: one array per key, absent when empty.
final class MemoryListState<Key: Hashable, Element>: MemoryDictionaryTable<Key, [Element]>, ListState {
    private let codec: (any Codec<Element>)?

    init(name: String, cursor: KeyCursor<Key>, codec: (any Codec<Element>)?) {
        self.codec = codec
        super.init(name: name, cursor: cursor)
    }

    func get() -> [Element] { data[cursor.current] ?? [] }

    func add(_ element: Element) {
        let key = cursor.current
        data[key, default: []].append(element)
        noteChange(key)
    }

    func update(_ elements: [Element]) {
        let key = cursor.current
        data[key] = elements.isEmpty ? nil : elements
        noteChange(key)
    }

    func clear() { update([]) }

    override func checkEncodable() throws {
        try checkCodec(codec, for: Element.self)
    }

    /// The element count, then each element length-prefixed.
    override func encode(_ elements: [Element]) throws -> [UInt8] {
        let codec = try requireCodec(codec)
        var writer = SnapshotWriter()
        writer.write(UInt32(elements.count))
        for element in elements { writer.write(bytes: try codec.serialize(element)) }
        return writer.bytes
    }

    override func decode(_ payload: [UInt8]) throws -> [Element] {
        let codec = try requireCodec(codec)
        var reader = SnapshotReader(payload)
        var elements: [Element] = []
        for _ in 0..<(try reader.readUInt32()) {
            elements.append(try codec.deserialize(try reader.readBytes()))
        }
        guard reader.isAtEnd else { throw StateError.corruptSnapshot("trailing bytes in an entry of list state '\(name)'") }
        return elements
    }
}
