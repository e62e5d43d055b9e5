/// A keyed container in the binary format: fields one after another, each its key (see
/// ``BinaryEncodingCore/writeKey(_:)``) and its value in a slot of its own.
struct BinaryKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let core: BinaryEncodingCore
    let depth: Int
    let id: UInt32

    var codingPath: [any CodingKey] { core.codingPath(depth: depth) }

    /// Makes this container's slot the innermost one and writes `key`.
    @inline(__always)
    private func begin(_ key: Key) throws {
        try core.requireOpen(depth: depth, id: id)
        core.writeKey(key)
    }

    mutating func encodeNil(forKey key: Key) throws {
        try begin(key)
        core.writeNilSlot()
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try begin(key)
        core.writeBoolSlot(value)
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        try begin(key)
        core.writeStringSlot(value)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        try begin(key)
        core.writeFixedSlot(value.bitPattern)
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        try begin(key)
        core.writeFixedSlot(value.bitPattern)
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        try begin(key)
        core.writeSignedSlot(Int64(value))
    }

    mutating func encode(_ value: Int8, forKey key: Key) throws {
        try begin(key)
        core.writeSignedSlot(Int64(value))
    }

    mutating func encode(_ value: Int16, forKey key: Key) throws {
        try begin(key)
        core.writeSignedSlot(Int64(value))
    }

    mutating func encode(_ value: Int32, forKey key: Key) throws {
        try begin(key)
        core.writeSignedSlot(Int64(value))
    }

    mutating func encode(_ value: Int64, forKey key: Key) throws {
        try begin(key)
        core.writeSignedSlot(Int64(value))
    }

    mutating func encode(_ value: UInt, forKey key: Key) throws {
        try begin(key)
        core.writeUnsignedSlot(UInt64(value))
    }

    mutating func encode(_ value: UInt8, forKey key: Key) throws {
        try begin(key)
        core.writeUnsignedSlot(UInt64(value))
    }

    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        try begin(key)
        core.writeUnsignedSlot(UInt64(value))
    }

    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        try begin(key)
        core.writeUnsignedSlot(UInt64(value))
    }

    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        try begin(key)
        core.writeUnsignedSlot(UInt64(value))
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try begin(key)
        try core.writeValueSlot(value, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let (depth, id) = openNested(key)
        core.beginKeyedContainer(depth: depth, id: id)
        return KeyedEncodingContainer(BinaryKeyedEncoder<NestedKey>(core: core, depth: depth, id: id))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let (depth, id) = openNested(key)
        core.beginUnkeyedContainer(depth: depth, id: id)
        return BinaryUnkeyedEncoder(core: core, depth: depth, id: id)
    }

    mutating func superEncoder() -> any Encoder {
        let (depth, id) = openNested(BinarySuperKey(), writing: BinarySuperKey())
        return BinaryValueEncoder(core: core, depth: depth, id: id)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let (depth, id) = openNested(key)
        return BinaryValueEncoder(core: core, depth: depth, id: id)
    }

    /// A slot for a nested container or encoder that stays open until this container (or one
    /// above it) writes again. A stale container records its failure and gets a slot whose
    /// contents are never read, since the element fails.
    private func openNested(_ key: Key) -> (depth: Int, id: UInt32) {
        openNested(key, writing: key)
    }

    private func openNested(_ pathKey: some CodingKey, writing key: some CodingKey) -> (depth: Int, id: UInt32) {
        if !core.prepare(depth: depth, id: id) { core.recordFailure(core.stale(depth: depth)) }
        core.writeKey(key)
        return core.openSlot(key: pathKey)
    }
}
