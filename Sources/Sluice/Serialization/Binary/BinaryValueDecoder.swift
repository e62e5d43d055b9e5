/// The `Decoder` a value's `init(from:)` gets: it reads one slot of the element.
struct BinaryValueDecoder: Decoder {
    let core: BinaryDecodingCore
    let slot: Range<Int>
    let depth: Int

    var codingPath: [any CodingKey] { core.codingPath(depth: depth) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard !slot.isEmpty, core.byte(at: slot.lowerBound) == BinaryFormat.keyedContainer else {
            throw DecodingError.typeMismatch(
                [String: Any].self, DecodingError.Context(
                    codingPath: codingPath,
                    debugDescription: slot == BinaryDecodingCore.nilSlot ? "nil where a keyed container was expected" : "not a keyed container"))
        }
        return KeyedDecodingContainer(try BinaryKeyedDecoder<Key>(core: core, content: (slot.lowerBound + 1)..<slot.upperBound, depth: depth))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try BinaryUnkeyedDecoder(core: core, slot: slot, depth: depth)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        BinarySingleValueDecoder(core: core, slot: slot, depth: depth)
    }
}
