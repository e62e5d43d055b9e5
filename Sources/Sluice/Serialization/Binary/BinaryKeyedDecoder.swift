/// A keyed container read from its fields: each a key and a slot. The fields are checked once
/// when the container opens; a field is then looked up from where the previous one was found
/// (fields read in the order they were written cost one comparison), and otherwise by a scan
/// of the container, so any order of reads, absent keys and `contains` work.
struct BinaryKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let core: BinaryDecodingCore
    let content: Range<Int>
    let depth: Int

    init(core: BinaryDecodingCore, content: Range<Int>, depth: Int) throws {
        self.core = core
        self.content = content
        self.depth = depth
        var position = content.lowerBound
        let nameCount = UInt64(core.names.count)
        while position < content.upperBound {
            guard let tag = core.varint(&position, end: content.upperBound), tag & 1 == 1 || tag >> 1 < nameCount,
                  core.slot(&position, end: content.upperBound) != nil else {
                throw core.corrupt("malformed field at byte \(position) of a keyed container", depth: depth)
            }
        }
        core.setHint(depth: depth, owner: content.lowerBound, position: content.lowerBound)
    }

    var codingPath: [any CodingKey] { core.codingPath(depth: depth) }

    var allKeys: [Key] {
        var keys: [Key] = []
        var position = content.lowerBound
        while position < content.upperBound {
            guard let tag = core.varint(&position, end: content.upperBound),
                  core.slot(&position, end: content.upperBound) != nil else { break }
            if tag & 1 == 0 {
                let index = Int(tag >> 1)
                if index < core.names.count, let key = Key(stringValue: core.names[index]) { keys.append(key) }
            } else {
                let int = Int(Varint.unzigzag(tag >> 1))
                if let key = Key(intValue: int) ?? Key(stringValue: String(int)) { keys.append(key) }
            }
        }
        return keys
    }

    /// The slot of `key`'s field, or `nil` when the container has none.
    private func find(_ key: Key) -> Range<Int>? {
        find(named: key.stringValue)
    }

    private func find(named name: String) -> Range<Int>? {
        let hint = core.hint(depth: depth, owner: content.lowerBound) ?? content.lowerBound
        let length = name.utf8.count
        if let found = scan(for: name, length: length, from: hint, to: content.upperBound)
            ?? scan(for: name, length: length, from: content.lowerBound, to: hint) {
            core.setHint(depth: depth, owner: content.lowerBound, position: found.next)
            return found.slot
        }
        return nil
    }

    /// The slot of the field named `name` among those starting in `start..<end`, and where the
    /// field after it starts.
    private func scan(for name: String, length: Int, from start: Int, to end: Int) -> (slot: Range<Int>, next: Int)? {
        var position = start
        while position < end {
            guard let tag = core.varint(&position, end: content.upperBound),
                  let slot = core.slot(&position, end: content.upperBound) else { return nil }
            if tag & 1 == 0 {
                let index = Int(tag >> 1)
                // Lengths first: comparing unequal strings costs more than their counts.
                if index < core.names.count, core.names[index].utf8.count == length, core.names[index] == name {
                    return (slot, position)
                }
            } else if String(Varint.unzigzag(tag >> 1)) == name {
                return (slot, position)
            }
        }
        return nil
    }

    private func require(_ key: Key) throws -> Range<Int> {
        guard let slot = find(key) else {
            throw DecodingError.keyNotFound(
                key, DecodingError.Context(codingPath: codingPath, debugDescription: "no field \"\(key.stringValue)\""))
        }
        core.enter(depth: depth + 1, key: key)
        return slot
    }

    func contains(_ key: Key) -> Bool {
        find(key) != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try require(key) == BinaryDecodingCore.nilSlot
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try core.bool(require(key), depth: depth + 1)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try core.string(require(key), depth: depth + 1)
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        Double(bitPattern: try core.fixed(UInt64.self, require(key), depth: depth + 1))
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        Float(bitPattern: try core.fixed(UInt32.self, require(key), depth: depth + 1))
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try core.integer(Int.self, require(key), depth: depth + 1)
    }

    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
        try core.integer(Int8.self, require(key), depth: depth + 1)
    }

    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try core.integer(Int16.self, require(key), depth: depth + 1)
    }

    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try core.integer(Int32.self, require(key), depth: depth + 1)
    }

    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try core.integer(Int64.self, require(key), depth: depth + 1)
    }

    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
        try core.integer(UInt.self, require(key), depth: depth + 1)
    }

    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try core.integer(UInt8.self, require(key), depth: depth + 1)
    }

    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try core.integer(UInt16.self, require(key), depth: depth + 1)
    }

    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try core.integer(UInt32.self, require(key), depth: depth + 1)
    }

    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try core.integer(UInt64.self, require(key), depth: depth + 1)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try core.value(T.self, require(key), depth: depth + 1)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try BinaryValueDecoder(core: core, slot: require(key), depth: depth + 1).container(keyedBy: NestedKey.self)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try BinaryUnkeyedDecoder(core: core, slot: require(key), depth: depth + 1)
    }

    func superDecoder() throws -> any Decoder {
        guard let slot = find(named: "super") else {
            throw DecodingError.keyNotFound(
                BinarySuperKey(), DecodingError.Context(codingPath: codingPath, debugDescription: "no super field"))
        }
        core.enter(depth: depth + 1, key: BinarySuperKey())
        return BinaryValueDecoder(core: core, slot: slot, depth: depth + 1)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        BinaryValueDecoder(core: core, slot: try require(key), depth: depth + 1)
    }

    // MARK: decodeIfPresent: one lookup instead of the default's contains, decodeNil and decode

    /// The slot of `key`'s field when it is present and not `nil`; names the field in the
    /// coding path.
    private func present(_ key: Key) -> Range<Int>? {
        guard let slot = find(key), slot != BinaryDecodingCore.nilSlot else { return nil }
        core.enter(depth: depth + 1, key: key)
        return slot
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let slot = present(key) else { return nil }
        return try core.bool(slot, depth: depth + 1)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let slot = present(key) else { return nil }
        return try core.string(slot, depth: depth + 1)
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let slot = present(key) else { return nil }
        return Double(bitPattern: try core.fixed(UInt64.self, slot, depth: depth + 1))
    }

    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        guard let slot = present(key) else { return nil }
        return Float(bitPattern: try core.fixed(UInt32.self, slot, depth: depth + 1))
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let slot = present(key) else { return nil }
        return try core.integer(Int.self, slot, depth: depth + 1)
    }

    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? {
        guard let slot = present(key) else { return nil }
        return try core.integer(Int8.self, slot, depth: depth + 1)
    }

    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? {
        guard let slot = present(key) else { return nil }
        return try core.integer(Int16.self, slot, depth: depth + 1)
    }

    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        guard let slot = present(key) else { return nil }
        return try core.integer(Int32.self, slot, depth: depth + 1)
    }

    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let slot = present(key) else { return nil }
        return try core.integer(Int64.self, slot, depth: depth + 1)
    }

    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? {
        guard let slot = present(key) else { return nil }
        return try core.integer(UInt.self, slot, depth: depth + 1)
    }

    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? {
        guard let slot = present(key) else { return nil }
        return try core.integer(UInt8.self, slot, depth: depth + 1)
    }

    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? {
        guard let slot = present(key) else { return nil }
        return try core.integer(UInt16.self, slot, depth: depth + 1)
    }

    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? {
        guard let slot = present(key) else { return nil }
        return try core.integer(UInt32.self, slot, depth: depth + 1)
    }

    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? {
        guard let slot = present(key) else { return nil }
        return try core.integer(UInt64.self, slot, depth: depth + 1)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let slot = present(key) else { return nil }
        return try core.value(T.self, slot, depth: depth + 1)
    }
}
