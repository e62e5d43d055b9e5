/// An unkeyed container in the binary format: a marker byte, then every element in a slot of
/// its own.
struct BinaryUnkeyedEncoder: UnkeyedEncodingContainer {
    let core: BinaryEncodingCore
    let depth: Int
    let id: UInt32
    private(set) var count = 0

    init(core: BinaryEncodingCore, depth: Int, id: UInt32) {
        self.core = core
        self.depth = depth
        self.id = id
    }

    var codingPath: [any CodingKey] { core.codingPath(depth: depth) }

    @inline(__always)
    private mutating func begin() throws {
        try core.requireOpen(depth: depth, id: id)
        count += 1
    }

    mutating func encodeNil() throws {
        try begin()
        core.writeNilSlot()
    }

    mutating func encode(_ value: Bool) throws {
        try begin()
        core.writeBoolSlot(value)
    }

    mutating func encode(_ value: String) throws {
        try begin()
        core.writeStringSlot(value)
    }

    mutating func encode(_ value: Double) throws {
        try begin()
        core.writeFixedSlot(value.bitPattern)
    }

    mutating func encode(_ value: Float) throws {
        try begin()
        core.writeFixedSlot(value.bitPattern)
    }

    mutating func encode(_ value: Int) throws {
        try begin()
        core.writeSignedSlot(Int64(value))
    }

    mutating func encode(_ value: Int8) throws {
        try begin()
        core.writeSignedSlot(Int64(value))
    }

    mutating func encode(_ value: Int16) throws {
        try begin()
        core.writeSignedSlot(Int64(value))
    }

    mutating func encode(_ value: Int32) throws {
        try begin()
        core.writeSignedSlot(Int64(value))
    }

    mutating func encode(_ value: Int64) throws {
        try begin()
        core.writeSignedSlot(Int64(value))
    }

    mutating func encode(_ value: UInt) throws {
        try begin()
        core.writeUnsignedSlot(UInt64(value))
    }

    mutating func encode(_ value: UInt8) throws {
        try begin()
        core.writeUnsignedSlot(UInt64(value))
    }

    mutating func encode(_ value: UInt16) throws {
        try begin()
        core.writeUnsignedSlot(UInt64(value))
    }

    mutating func encode(_ value: UInt32) throws {
        try begin()
        core.writeUnsignedSlot(UInt64(value))
    }

    mutating func encode(_ value: UInt64) throws {
        try begin()
        core.writeUnsignedSlot(UInt64(value))
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = count
        try begin()
        try core.writeValueSlot(value, key: BinaryIndexKey(index))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let (depth, id) = openNested()
        core.beginKeyedContainer(depth: depth, id: id)
        return KeyedEncodingContainer(BinaryKeyedEncoder<NestedKey>(core: core, depth: depth, id: id))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let (depth, id) = openNested()
        core.beginUnkeyedContainer(depth: depth, id: id)
        return BinaryUnkeyedEncoder(core: core, depth: depth, id: id)
    }

    mutating func superEncoder() -> any Encoder {
        let (depth, id) = openNested()
        return BinaryValueEncoder(core: core, depth: depth, id: id)
    }

    /// An element slot that stays open until this container (or one above it) writes again.
    private mutating func openNested() -> (depth: Int, id: UInt32) {
        if !core.prepare(depth: depth, id: id) { core.recordFailure(core.stale(depth: depth)) }
        let key = BinaryIndexKey(count)
        count += 1
        return core.openSlot(key: key)
    }
}
