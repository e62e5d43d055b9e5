/// LEB128 variable-length integers and zigzag signed integers: the binary format's integers and
/// lengths, so small values (most lengths, counts and keys) take one byte.
enum Varint {
    /// The most bytes a 64-bit varint takes.
    static let maxBytes = 10

    /// Maps signed to unsigned so that small magnitudes of either sign stay small.
    @inline(__always)
    static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// The inverse of ``zigzag(_:)``.
    @inline(__always)
    static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    /// How many bytes ``append(_:to:)`` writes for `value`.
    @inline(__always)
    static func size(_ value: UInt64) -> Int {
        // 7 payload bits per byte; 0 takes one byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    @inline(__always)
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: rest))
    }

    /// Writes `value` at `position`, which has room for ``size(_:)`` bytes.
    static func write(_ value: UInt64, into bytes: inout [UInt8], at position: Int) {
        var rest = value
        var index = position
        while rest >= 0x80 {
            bytes[index] = UInt8(truncatingIfNeeded: rest) | 0x80
            rest >>= 7
            index += 1
        }
        bytes[index] = UInt8(truncatingIfNeeded: rest)
    }
}
