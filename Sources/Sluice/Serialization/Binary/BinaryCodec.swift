/// Any `Codable` type in a compact, versioned binary format of Sluice's own: what the
/// repartition exchange writes by default, and a codec for sinks and state where JSON is not
/// needed.
///
/// Compared with ``JSONCodec``, numbers are varints or raw IEEE bits instead of text, strings are
/// their UTF-8 bytes (validated on reading, never repaired), and no text is parsed.
///
/// ## Format (version 1)
///
/// Every element starts with the format version byte `1` and the length of the rest as a
/// varint, so a truncated element or trailing bytes fail instead of decoding as something else.
/// Then, by element type:
///
/// - `String`: its UTF-8 bytes; `Int`, `Int32`, `Int64` (zigzag) and `UInt`, `UInt32`,
///   `UInt64`: one varint; `[UInt8]`: the bytes.
/// - any other `Codable`: the element's **field name table** (a count, then each name as a
///   length and UTF-8 bytes, in the order first used), then the value. Here the length after
///   the version is that of the rest + 1, and `0` (with nothing after it) is a `nil` element.
///
/// A value fills a *slot*, a byte range whose length its container gives. Inside a container
/// a slot is a varint header, `0` for `nil` and otherwise the length + 1 (so an empty string
/// is not `nil`), and the content:
///
/// | value | content |
/// |---|---|
/// | `Bool` | `0` or `1` |
/// | signed / unsigned integers | zigzag / plain LEB128 varint |
/// | `Float`, `Double` | IEEE 754 bits, little-endian (NaN payloads and infinities kept) |
/// | `String` | UTF-8 |
/// | keyed container (struct, class, enum with associated values, dictionary) | `2`, then fields: a key varint and a slot each |
/// | unkeyed container (array, set) | `0`, then elements: a slot each |
/// | `[UInt8]`, `Data` | `1`, then the bytes |
///
/// A key is `2 × i` for name `i` of the table, or `2 × zigzag(n) + 1` for a key whose name is the integer `n`'s digits
/// (`[Int: V]` dictionaries).
///
/// **Why a name table**: a binary format without names (fields by position) breaks a custom
/// `init(from:)` that reads keys in another order than `encode(to:)` wrote them, or asks for
/// keys that are absent (`decodeIfPresent`, `contains`). With names, each keyed container is a
/// small field table that any read order finds its fields in, while the names cost bytes only
/// once per element (an array of a thousand structs names each field once) and, in a stream of
/// one type, are parsed only when they change. Fields read in the order they were written (all
/// synthesized `Codable`) are found with one comparison each.
///
/// Nested optionals collapse as in JSON: `.some(nil)` reads back as `nil`. Containers must be
/// written in order: a container written to after its parent moved on to another field is an
/// error (no `Codable` synthesis does that).
///
/// Malformed bytes never crash the reader: an unknown version, a truncated element, invalid
/// UTF-8, a missing field or a wrong type throws a ``BinaryCodecError`` that names it, with the
/// field's coding path.
///
/// ``serialize(_:)`` and ``deserialize(_:)`` make a new ``BinaryElementWriter`` or
/// ``BinaryElementReader`` per call, so the codec is `Sendable`; code that encodes many elements
/// on one thread keeps one writer and one reader instead, as the repartition exchange does per
/// task.
public struct BinaryCodec<Value: Codable>: Codec {
    /// The format version this build writes and reads: the first byte of every element.
    public static var formatVersion: UInt8 { BinaryFormat.version }

    /// The binary codec.
    public init() {}

    /// The element's bytes, from a new ``BinaryElementWriter``.
    public func serialize(_ value: Value) throws -> [UInt8] {
        try BinaryElementWriter<Value>().encode(value)
    }

    /// The element in `bytes`, from a new ``BinaryElementReader``; throws ``BinaryCodecError``
    /// for bytes that are not one.
    public func deserialize(_ bytes: [UInt8]) throws -> Value {
        try BinaryElementReader<Value>().decode(bytes)
    }
}
