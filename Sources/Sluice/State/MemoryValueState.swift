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
