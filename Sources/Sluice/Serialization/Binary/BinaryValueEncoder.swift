/// The `Encoder` a value's `encode(to:)` gets: it writes into one slot of the element.
struct BinaryValueEncoder: Encoder {
    let core: BinaryEncodingCore
    let depth: Int
    let id: UInt32

    var codingPath: [any CodingKey] { core.codingPath(depth: depth) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        core.beginKeyedContainer(depth: depth, id: id)
        return KeyedEncodingContainer(BinaryKeyedEncoder<Key>(core: core, depth: depth, id: id))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        core.beginUnkeyedContainer(depth: depth, id: id)
        return BinaryUnkeyedEncoder(core: core, depth: depth, id: id)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        BinarySingleValueEncoder(core: core, depth: depth, id: id)
    }
}
