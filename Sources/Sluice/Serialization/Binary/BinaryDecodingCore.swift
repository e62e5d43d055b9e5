import Foundation

/// The state of one element being read: its bytes (borrowed for the duration of one decode),
/// its field names, the coding path, and per depth where the last field was found, so fields
/// read in the order they were written are found without a search.
///
/// Every read checks its bounds and throws `DecodingError` for bytes that do not fit; nothing
/// in a malformed element can make it read outside the buffer. One instance serves one element
/// at a time and keeps its buffers (and, when the next element has the same name table, its
/// names) between elements. Like ``BinaryEncodingCore`` it is used by one thread and skips
/// run-time exclusivity checks on its properties.
final class BinaryDecodingCore {
    @exclusivity(unchecked) private(set) var base: UnsafePointer<UInt8>?
    /// The element's name table.
    @exclusivity(unchecked) private(set) var names: [String] = []
    /// The bytes of the name table ``names`` came from.
    @exclusivity(unchecked) private var tableBytes: [UInt8] = []
    @exclusivity(unchecked) private var keys: [any CodingKey] = []
    /// Per keyed-container depth: the content start of the container the hint belongs to, and
    /// the position after the field last found there.
    @exclusivity(unchecked) private var hintOwners: [Int] = []
    @exclusivity(unchecked) private var hintPositions: [Int] = []

    /// Reads `buffer` until ``finish()``.
    func begin(_ buffer: UnsafeBufferPointer<UInt8>) {
        base = buffer.baseAddress
        keys.removeAll(keepingCapacity: true)
    }

    func finish() {
        base = nil
    }

    @inline(__always)
    func byte(at position: Int) -> UInt8 {
        base.unsafelyUnwrapped[position]
    }

    func buffer(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base.unsafelyUnwrapped + start, count: end - start)
    }

    // MARK: Coding path

    func codingPath(depth: Int) -> [any CodingKey] {
        Array(keys.prefix(depth))
    }

    func codingPath(depth: Int, appending key: some CodingKey) -> [any CodingKey] {
        codingPath(depth: depth) + [key]
    }

    /// Names the value at `depth` (1 and deeper) `key`; keys deeper than that are left in place
    /// (``codingPath(depth:)`` reads only its prefix) rather than removed.
    @inline(__always)
    func enter(depth: Int, key: some CodingKey) {
        if keys.count >= depth {
            keys[depth - 1] = key
            return
        }
        while keys.count < depth - 1 { keys.append(BinaryIndexKey(0)) }
        keys.append(key)
    }

    func corrupt(_ description: String, depth: Int) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: codingPath(depth: depth), debugDescription: description))
    }

    // MARK: Hints

    @inline(__always)
    func hint(depth: Int, owner: Int) -> Int? {
        depth < hintOwners.count && hintOwners[depth] == owner ? hintPositions[depth] : nil
    }

    @inline(__always)
    func setHint(depth: Int, owner: Int, position: Int) {
        while hintOwners.count <= depth {
            hintOwners.append(-1)
            hintPositions.append(0)
        }
        hintOwners[depth] = owner
        hintPositions[depth] = position
    }

    // MARK: Structure

    /// Reads a varint at `position`, which moves past it; `nil` when it runs past `end` or over 64 bits.
    @inline(__always)
    func varint(_ position: inout Int, end: Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let byte = base.unsafelyUnwrapped[position]
            position += 1
            if shift == 63 && byte > 1 { return nil }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    /// The slot of a `nil` value: empty, and unlike any position in the element.
    static let nilSlot = -1 ..< -1

    /// Reads a slot's header at `position` (`0` for nil, otherwise the length + 1) and moves past
    /// the slot; its content range (``nilSlot`` for nil), or `nil` when the slot does not fit
    /// before `end`.
    @inline(__always)
    func slot(_ position: inout Int, end: Int) -> Range<Int>? {
        guard let header = varint(&position, end: end) else { return nil }
        if header == 0 { return Self.nilSlot }
        guard header - 1 <= UInt64(end - position) else { return nil }
        let start = position
        position += Int(header - 1)
        return start..<position
    }

    /// Reads a varint length at `position` and moves past that many bytes; their range, or `nil`
    /// when they do not fit before `end`.
    @inline(__always)
    func lengthPrefixed(_ position: inout Int, end: Int) -> Range<Int>? {
        guard let length = varint(&position, end: end), length <= UInt64(end - position) else { return nil }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// Reads the element's name table starting at `position`, which moves past it. When the
    /// table's bytes are those of the previous element's (a stream of one type), its names are
    /// kept rather than built again.
    func readNames(_ position: inout Int, end: Int) throws {
        let start = position
        guard let count = varint(&position, end: end), count <= UInt64(end - position) else {
            throw corrupt("the field name table does not fit in the element", depth: 0)
        }
        let namesStart = position
        for _ in 0..<Int(count) {
            guard lengthPrefixed(&position, end: end) != nil else {
                throw corrupt("the field name table does not fit in the element", depth: 0)
            }
        }
        let table = buffer(start, position)
        if table.count == tableBytes.count,
           tableBytes.withUnsafeBufferPointer({ old in table.isEmpty || memcmp(old.baseAddress!, table.baseAddress!, table.count) == 0 }) {
            return
        }
        names.removeAll(keepingCapacity: true)
        tableBytes.removeAll(keepingCapacity: true)
        var cursor = namesStart
        for index in 0..<Int(count) {
            guard let range = lengthPrefixed(&cursor, end: position),
                  let name = try? string(buffer(range.lowerBound, range.upperBound), depth: 0) else {
                names.removeAll(keepingCapacity: true)
                throw corrupt("field name \(index) is not valid UTF-8", depth: 0)
            }
            names.append(name)
        }
        tableBytes.append(contentsOf: table)
    }

    // MARK: Primitives filling a slot

    func string(_ slot: Range<Int>, depth: Int) throws -> String {
        guard slot.lowerBound >= 0 else {
            throw DecodingError.valueNotFound(
                String.self, DecodingError.Context(codingPath: codingPath(depth: depth), debugDescription: "nil where a String was expected"))
        }
        return try string(buffer(slot.lowerBound, slot.upperBound), depth: depth)
    }

    /// Validates and copies UTF-8: ASCII (any byte sequence below 0x80 is valid) through the
    /// standard library's specialized decoding, the rest through its validating initializer.
    func string(_ bytes: UnsafeBufferPointer<UInt8>, depth: Int) throws -> String {
        if Self.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw corrupt("\(bytes.count) bytes are not valid UTF-8", depth: depth)
        }
        return string
    }

    @inline(__always)
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(start)
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(start[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    func bool(_ slot: Range<Int>, depth: Int) throws -> Bool {
        guard slot.count == 1, byte(at: slot.lowerBound) <= 1 else {
            throw corrupt("a Bool is one byte, 0 or 1; found \(slot.count) bytes", depth: depth)
        }
        return byte(at: slot.lowerBound) == 1
    }

    func unsigned(_ slot: Range<Int>, depth: Int) throws -> UInt64 {
        var position = slot.lowerBound
        guard let value = varint(&position, end: slot.upperBound), position == slot.upperBound else {
            throw corrupt("\(slot.count) bytes are not one integer", depth: depth)
        }
        return value
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, _ slot: Range<Int>, depth: Int) throws -> I {
        let bits = try unsigned(slot, depth: depth)
        let value: I? = I.isSigned ? I(exactly: Varint.unzigzag(bits)) : I(exactly: bits)
        guard let value else {
            throw corrupt("\(I.isSigned ? String(Varint.unzigzag(bits)) : String(bits)) does not fit in \(I.self)", depth: depth)
        }
        return value
    }

    func fixed<T: FixedWidthInteger>(_ type: T.Type, _ slot: Range<Int>, depth: Int) throws -> T {
        guard slot.count == MemoryLayout<T>.size else {
            throw corrupt("expected \(MemoryLayout<T>.size) bytes of a floating-point number, found \(slot.count)", depth: depth)
        }
        return T(littleEndian: UnsafeRawPointer(base.unsafelyUnwrapped + slot.lowerBound).loadUnaligned(as: T.self))
    }

    /// The raw bytes of a byte container, or `nil` when the slot holds another layout.
    func rawBytes(_ slot: Range<Int>) -> UnsafeBufferPointer<UInt8>? {
        guard !slot.isEmpty, byte(at: slot.lowerBound) == BinaryFormat.byteContainer else { return nil }
        return buffer(slot.lowerBound + 1, slot.upperBound)
    }

    /// Decodes the value filling `slot` at `depth`: common types directly, others through their
    /// `init(from:)`.
    func value<T: Decodable>(_ type: T.Type, _ slot: Range<Int>, depth: Int) throws -> T {
        if T.self == String.self {
            return unsafeBitCast(try string(slot, depth: depth), to: T.self)
        } else if T.self == Int.self {
            return unsafeBitCast(try integer(Int.self, slot, depth: depth), to: T.self)
        } else if T.self == Double.self {
            return unsafeBitCast(Double(bitPattern: try fixed(UInt64.self, slot, depth: depth)), to: T.self)
        } else if T.self == [UInt8].self, let raw = rawBytes(slot) {
            return unsafeBitCast(Array(raw), to: T.self)
        } else if T.self == Data.self, let raw = rawBytes(slot) {
            return unsafeBitCast(Data(buffer: raw), to: T.self)
        }
        return try T(from: BinaryValueDecoder(core: self, slot: slot, depth: depth))
    }
}
