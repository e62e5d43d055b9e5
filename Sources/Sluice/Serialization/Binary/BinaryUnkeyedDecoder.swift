/// An unkeyed container read element by element. Slotted containers are checked and counted
/// when they open; a byte container (`[UInt8]`, `Data`) yields its bytes as `UInt8`s.
struct BinaryUnkeyedDecoder: UnkeyedDecodingContainer {
    let core: BinaryDecodingCore
    let depth: Int
    private let end: Int
    private let isBytes: Bool
    private var position: Int
    let count: Int?
    private(set) var currentIndex = 0

    init(core: BinaryDecodingCore, slot: Range<Int>, depth: Int) throws {
        self.core = core
        self.depth = depth
        end = slot.upperBound
        position = slot.lowerBound + 1
        guard !slot.isEmpty else {
            throw DecodingError.typeMismatch(
                [Any].self, DecodingError.Context(
                    codingPath: core.codingPath(depth: depth), debugDescription: "nil where an unkeyed container was expected"))
        }
        switch core.byte(at: slot.lowerBound) {
        case BinaryFormat.byteContainer:
            isBytes = true
            count = slot.count - 1
        case BinaryFormat.unkeyedContainer:
            isBytes = false
            var elements = 0
            var cursor = position
            while cursor < end {
                guard core.slot(&cursor, end: end) != nil else {
                    throw core.corrupt("malformed element \(elements) of an unkeyed container", depth: depth)
                }
                elements += 1
            }
            count = elements
        default:
            throw DecodingError.typeMismatch(
                [Any].self, DecodingError.Context(codingPath: core.codingPath(depth: depth), debugDescription: "not an unkeyed container"))
        }
    }

    var codingPath: [any CodingKey] { core.codingPath(depth: depth) }

    var isAtEnd: Bool { currentIndex >= count ?? 0 }

    private func endError(_ type: Any.Type) -> DecodingError {
        .valueNotFound(
            type, DecodingError.Context(
                codingPath: core.codingPath(depth: depth, appending: BinaryIndexKey(currentIndex)),
                debugDescription: "the unkeyed container has no element \(currentIndex)"))
    }

    private func bytesError(_ type: Any.Type) -> DecodingError {
        .typeMismatch(
            type, DecodingError.Context(
                codingPath: core.codingPath(depth: depth, appending: BinaryIndexKey(currentIndex)),
                debugDescription: "a byte container holds UInt8 values only"))
    }

    /// The next element's slot; the coding path names it.
    private mutating func next(_ type: Any.Type) throws -> Range<Int> {
        guard !isAtEnd else { throw endError(type) }
        if isBytes { throw bytesError(type) }
        guard let slot = core.slot(&position, end: end) else { throw core.corrupt("malformed element", depth: depth) }
        core.enter(depth: depth + 1, key: BinaryIndexKey(currentIndex))
        currentIndex += 1
        return slot
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw endError(Any?.self) }
        if isBytes { return false }
        var cursor = position
        guard let slot = core.slot(&cursor, end: end) else { throw core.corrupt("malformed element", depth: depth) }
        guard slot == BinaryDecodingCore.nilSlot else { return false }
        position = cursor
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let slot = try next(type)
        return try core.bool(slot, depth: depth + 1)
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let slot = try next(type)
        return try core.string(slot, depth: depth + 1)
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let slot = try next(type)
        return Double(bitPattern: try core.fixed(UInt64.self, slot, depth: depth + 1))
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let slot = try next(type)
        return Float(bitPattern: try core.fixed(UInt32.self, slot, depth: depth + 1))
    }

    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
        if isBytes {
            guard !isAtEnd else { throw endError(type) }
            let byte = core.byte(at: position)
            position += 1
            currentIndex += 1
            return byte
        }
        let slot = try next(type)
        return try core.integer(UInt8.self, slot, depth: depth + 1)
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        let slot = try next(type)
        return try core.integer(Int.self, slot, depth: depth + 1)
    }

    mutating func decode(_ type: Int8.Type) throws -> Int8 {
        let slot = try next(type)
        return try core.integer(Int8.self, slot, depth: depth + 1)
    }

    mutating func decode(_ type: Int16.Type) throws -> Int16 {
        let slot = try next(type)
        return try core.integer(Int16.self, slot, depth: depth + 1)
    }

    mutating func decode(_ type: Int32.Type) throws -> Int32 {
        let slot = try next(type)
        return try core.integer(Int32.self, slot, depth: depth + 1)
    }

    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        let slot = try next(type)
        return try core.integer(Int64.self, slot, depth: depth + 1)
    }

    mutating func decode(_ type: UInt.Type) throws -> UInt {
        let slot = try next(type)
        return try core.integer(UInt.self, slot, depth: depth + 1)
    }

    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
        let slot = try next(type)
        return try core.integer(UInt16.self, slot, depth: depth + 1)
    }

    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
        let slot = try next(type)
        return try core.integer(UInt32.self, slot, depth: depth + 1)
    }

    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        let slot = try next(type)
        return try core.integer(UInt64.self, slot, depth: depth + 1)
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if isBytes, T.self == UInt8.self { return unsafeBitCast(try decode(UInt8.self), to: T.self) }
        let slot = try next(type)
        return try core.value(T.self, slot, depth: depth + 1)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let slot = try next(KeyedDecodingContainer<NestedKey>.self)
        return try BinaryValueDecoder(core: core, slot: slot, depth: depth + 1).container(keyedBy: NestedKey.self)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let slot = try next((any UnkeyedDecodingContainer).self)
        return try BinaryUnkeyedDecoder(core: core, slot: slot, depth: depth + 1)
    }

    mutating func superDecoder() throws -> any Decoder {
        let slot = try next((any Decoder).self)
        return BinaryValueDecoder(core: core, slot: slot, depth: depth + 1)
    }
}
