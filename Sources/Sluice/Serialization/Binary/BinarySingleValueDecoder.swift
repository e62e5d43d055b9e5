/// A single value filling its slot; ``BinaryDecodingCore/nilSlot`` is `nil`.
struct BinarySingleValueDecoder: SingleValueDecodingContainer {
    let core: BinaryDecodingCore
    let slot: Range<Int>
    let depth: Int

    var codingPath: [any CodingKey] { core.codingPath(depth: depth) }

    func decodeNil() -> Bool {
        slot == BinaryDecodingCore.nilSlot
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        try core.bool(slot, depth: depth)
    }

    func decode(_ type: String.Type) throws -> String {
        try core.string(slot, depth: depth)
    }

    func decode(_ type: Double.Type) throws -> Double {
        Double(bitPattern: try core.fixed(UInt64.self, slot, depth: depth))
    }

    func decode(_ type: Float.Type) throws -> Float {
        Float(bitPattern: try core.fixed(UInt32.self, slot, depth: depth))
    }

    func decode(_ type: Int.Type) throws -> Int {
        try core.integer(Int.self, slot, depth: depth)
    }

    func decode(_ type: Int8.Type) throws -> Int8 {
        try core.integer(Int8.self, slot, depth: depth)
    }

    func decode(_ type: Int16.Type) throws -> Int16 {
        try core.integer(Int16.self, slot, depth: depth)
    }

    func decode(_ type: Int32.Type) throws -> Int32 {
        try core.integer(Int32.self, slot, depth: depth)
    }

    func decode(_ type: Int64.Type) throws -> Int64 {
        try core.integer(Int64.self, slot, depth: depth)
    }

    func decode(_ type: UInt.Type) throws -> UInt {
        try core.integer(UInt.self, slot, depth: depth)
    }

    func decode(_ type: UInt8.Type) throws -> UInt8 {
        try core.integer(UInt8.self, slot, depth: depth)
    }

    func decode(_ type: UInt16.Type) throws -> UInt16 {
        try core.integer(UInt16.self, slot, depth: depth)
    }

    func decode(_ type: UInt32.Type) throws -> UInt32 {
        try core.integer(UInt32.self, slot, depth: depth)
    }

    func decode(_ type: UInt64.Type) throws -> UInt64 {
        try core.integer(UInt64.self, slot, depth: depth)
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try core.value(T.self, slot, depth: depth)
    }
}
