/// How an element of type `Value` is laid out after its header: the fast paths for `String`,
/// integers and `[UInt8]` elements, which need no `Encoder`, or `Codable` in general.
enum BinaryTopLevel<Value> {
    /// The string's UTF-8 bytes.
    case string
    /// The bytes themselves.
    case bytes
    /// One varint: zigzag for signed types.
    case integer(toBits: (Value) -> UInt64, fromBits: (UInt64) -> Value?)
    /// A name table, then the value's root slot.
    case codable

    static func of(_ type: Value.Type) -> BinaryTopLevel<Value> {
        if type == String.self { return .string }
        if type == [UInt8].self { return .bytes }
        if type == Int.self { return signed(Int.self) }
        if type == Int64.self { return signed(Int64.self) }
        if type == Int32.self { return signed(Int32.self) }
        if type == UInt.self { return unsigned(UInt.self) }
        if type == UInt64.self { return unsigned(UInt64.self) }
        if type == UInt32.self { return unsigned(UInt32.self) }
        return .codable
    }

    /// Only called with `I` equal to `Value`.
    private static func signed<I: FixedWidthInteger & SignedInteger>(_: I.Type) -> BinaryTopLevel<Value> {
        .integer(
            toBits: { Varint.zigzag(Int64(unsafeBitCast($0, to: I.self))) },
            fromBits: { bits in I(exactly: Varint.unzigzag(bits)).map { unsafeBitCast($0, to: Value.self) } })
    }

    /// Only called with `I` equal to `Value`.
    private static func unsigned<I: FixedWidthInteger & UnsignedInteger>(_: I.Type) -> BinaryTopLevel<Value> {
        .integer(
            toBits: { UInt64(unsafeBitCast($0, to: I.self)) },
            fromBits: { bits in I(exactly: bits).map { unsafeBitCast($0, to: Value.self) } })
    }
}
