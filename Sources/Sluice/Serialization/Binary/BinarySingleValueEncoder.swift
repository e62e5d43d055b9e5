/// A single value filling its slot: the slot's length delimits it, so strings need no length
/// of their own; `nil` marks the slot itself.
struct BinarySingleValueEncoder: SingleValueEncodingContainer {
    let core: BinaryEncodingCore
    let depth: Int
    let id: UInt32

    var codingPath: [any CodingKey] { core.codingPath(depth: depth) }

    @inline(__always)
    private func begin() throws {
        try core.requireOpen(depth: depth, id: id)
        guard core.body.count == core.contentStart(depth: depth) else {
            throw EncodingError.invalidValue(
                "", EncodingError.Context(
                    codingPath: codingPath, debugDescription: "a single value container encoded a second value"))
        }
    }

    mutating func encodeNil() throws {
        try begin()
        core.markNil(depth: depth)
    }

    mutating func encode(_ value: Bool) throws {
        try begin()
        core.body.append(value ? 1 : 0)
    }

    mutating func encode(_ value: String) throws {
        try begin()
        core.writeString(value)
    }

    mutating func encode(_ value: Double) throws {
        try begin()
        core.writeFixed(value.bitPattern)
    }

    mutating func encode(_ value: Float) throws {
        try begin()
        core.writeFixed(value.bitPattern)
    }

    mutating func encode(_ value: Int) throws {
        try begin()
        Varint.append(Varint.zigzag(Int64(value)), to: &core.body)
    }

    mutating func encode(_ value: Int8) throws {
        try begin()
        Varint.append(Varint.zigzag(Int64(value)), to: &core.body)
    }

    mutating func encode(_ value: Int16) throws {
        try begin()
        Varint.append(Varint.zigzag(Int64(value)), to: &core.body)
    }

    mutating func encode(_ value: Int32) throws {
        try begin()
        Varint.append(Varint.zigzag(Int64(value)), to: &core.body)
    }

    mutating func encode(_ value: Int64) throws {
        try begin()
        Varint.append(Varint.zigzag(Int64(value)), to: &core.body)
    }

    mutating func encode(_ value: UInt) throws {
        try begin()
        Varint.append(UInt64(value), to: &core.body)
    }

    mutating func encode(_ value: UInt8) throws {
        try begin()
        Varint.append(UInt64(value), to: &core.body)
    }

    mutating func encode(_ value: UInt16) throws {
        try begin()
        Varint.append(UInt64(value), to: &core.body)
    }

    mutating func encode(_ value: UInt32) throws {
        try begin()
        Varint.append(UInt64(value), to: &core.body)
    }

    mutating func encode(_ value: UInt64) throws {
        try begin()
        Varint.append(UInt64(value), to: &core.body)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try begin()
        try core.writeValue(value, depth: depth, id: id)
    }
}
