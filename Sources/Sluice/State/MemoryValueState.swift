/// A ``ValueState`` in memory: one value per key.
final class MemoryValueState<Key: Hashable, Value>: MemoryDictionaryTable<Key, Value>, ValueState {
    private let codec: (any Codec<Value>)?

    init(name: String, cursor: KeyCursor<Key>, codec: (any Codec<Value>)?) {
        self.codec = codec
        super.init(name: name, cursor: cursor)
    }

    func value() -> Value? { data[cursor.current] }

    func update(_ value: Value?) {
        let key = cursor.current
        data[key] = value
        noteChange(key)
    }

    func clear() { update(nil) }

    override func checkEncodable() throws {
        try checkCodec(codec, for: Value.self)
    }

    override func encode(_ stored: Value) throws -> [UInt8] {
        try requireCodec(codec).serialize(stored)
    }

    override func decode(_ payload: [UInt8]) throws -> Value {
        try requireCodec(codec).deserialize(payload)
    }
}
