/// Reads Kafka's big-endian and varint encodings from a byte buffer; every read past the end
/// throws ``ByteReader/Underflow`` instead of trapping, so malformed input is an error.
struct ByteReader {
    /// A read went past the end of the buffer.
    struct Underflow: Error, CustomStringConvertible {
        var needed: Int
        var position: Int
        var description: String { "\(needed) more byte(s) needed at position \(position)" }
    }

    /// A varint longer than its type allows.
    struct BadVarint: Error, CustomStringConvertible {
        var position: Int
        var description: String { "an over-long varint at position \(position)" }
    }

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        position = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    private mutating func take(_ count: Int) throws -> Range<Int> {
        guard count >= 0, count <= remaining else { throw Underflow(needed: count - remaining, position: position) }
        defer { position += count }
        return position..<(position + count)
    }

    mutating func skip(_ count: Int) throws { _ = try take(count) }

    mutating func readBytes(_ count: Int) throws -> [UInt8] { Array(bytes[try take(count)]) }

    mutating func uint8() throws -> UInt8 { bytes[try take(1).lowerBound] }

    mutating func int8() throws -> Int8 { Int8(bitPattern: try uint8()) }

    private mutating func bigEndian(_ count: Int) throws -> UInt64 {
        var value: UInt64 = 0
        for index in try take(count) { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    mutating func int16() throws -> Int16 { Int16(truncatingIfNeeded: try bigEndian(2)) }
    mutating func int32() throws -> Int32 { Int32(truncatingIfNeeded: try bigEndian(4)) }
    mutating func uint32() throws -> UInt32 { UInt32(truncatingIfNeeded: try bigEndian(4)) }
    mutating func int64() throws -> Int64 { Int64(bitPattern: try bigEndian(8)) }
    mutating func bool() throws -> Bool { try uint8() != 0 }

    /// A zigzag-encoded signed varint of at most 64 bits (Kafka's varint and varlong).
    mutating func varlong() throws -> Int64 {
        let start = position
        var raw: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try uint8()
            raw |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            if shift > 63 { throw BadVarint(position: start) }
        }
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func varint() throws -> Int {
        let value = try varlong()
        guard value >= Int64(Int32.min), value <= Int64(Int32.max) else { throw BadVarint(position: position) }
        return Int(value)
    }

    /// A string with an int16 length; `nil` for length -1.
    mutating func nullableString() throws -> String? {
        let length = try int16()
        if length < 0 { return nil }
        return String(decoding: try readBytes(Int(length)), as: UTF8.self)
    }

    mutating func string() throws -> String { try nullableString() ?? "" }

    /// An array's int32 count; -1 (null) reads as 0.
    mutating func arrayCount() throws -> Int {
        let count = try int32()
        guard count <= Int32(remaining) else { throw Underflow(needed: Int(count) - remaining, position: position) }
        return max(Int(count), 0)
    }
}
