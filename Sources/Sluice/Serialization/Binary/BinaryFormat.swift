/// Constants of ``BinaryCodec``'s format (version 1); the format itself is described there.
enum BinaryFormat {
    /// The first byte of every element.
    static let version: UInt8 = 1

    /// The first byte of a keyed container (a struct, a class, an enum with associated values, a
    /// dictionary): it makes an empty container a non-empty value, distinct from `nil`, and lets
    /// a reader tell a container from a value written some other way.
    static let keyedContainer: UInt8 = 2
    /// The first byte of an unkeyed container (an array) whose elements are length-prefixed.
    static let unkeyedContainer: UInt8 = 0
    /// The first byte of an unkeyed container of raw bytes (`[UInt8]`, `Data`): one byte each.
    static let byteContainer: UInt8 = 1

    /// Names beyond this many per element are found through a dictionary instead of a scan.
    static let linearNameLimit = 16
}

/// The coding key of an array element in coding paths, as Foundation names it.
struct BinaryIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }

    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// The key `superEncoder()` and `superDecoder()` use, as in Foundation's JSON coders.
struct BinarySuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }

    init() {}
    init?(stringValue: String) { guard stringValue == "super" else { return nil } }
    init?(intValue: Int) { nil }
}
