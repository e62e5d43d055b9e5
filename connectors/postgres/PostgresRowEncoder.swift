import Foundation

/// Makes a row of column values of an `Encodable` value: each top-level field goes into the
/// column of its coding key's name.
///
/// Strings, integers, floating-point numbers, booleans, `Date`, `UUID`, `Data` and `Decimal`
/// become the matching ``PostgresValue``; a value that encodes itself as one of these (a
/// `RawRepresentable` enum, a wrapper) does too; `nil` and fields the value does not encode are
/// `NULL`; any other value (a nested struct, an array) is written as JSON, for a `jsonb` column.
/// A field without a column of its name is an error: it would be lost silently.
public struct PostgresRowEncoder: Sendable {
    /// The columns, in the order of the row's values.
    public let columns: [String]
    private let positions: [String: Int]

    /// An encoder for rows of `columns`.
    public init(columns: [String]) {
        self.columns = columns
        positions = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The column values of `value`, one per column.
    public func encode(_ value: some Encodable) throws -> [PostgresValue] {
        let row = RowStorage(count: columns.count)
        let encoder = FieldsEncoder(row: row, positions: positions)
        try value.encode(to: encoder)
        if let error = row.error { throw error }
        return row.values
    }
}

/// Why an element could not be made a row.
struct RowEncodingError: Error, CustomStringConvertible {
    let description: String
}

/// The row being filled, shared by the encoder and its container.
private final class RowStorage {
    var values: [PostgresValue]
    var error: RowEncodingError?

    init(count: Int) {
        values = Array(repeating: .null, count: count)
    }
}

/// The top-level encoder: only a keyed container makes sense for a row.
private struct FieldsEncoder: Encoder {
    let row: RowStorage
    let positions: [String: Int]
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(FieldsContainer<Key>(row: row, positions: positions))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        row.error = RowEncodingError(description: "a row must encode as fields (a struct or a dictionary), not as a list")
        return DiscardingEncoder().unkeyedContainer()
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        row.error = RowEncodingError(description: "a row must encode as fields (a struct or a dictionary), not as one value")
        return DiscardingEncoder().singleValueContainer()
    }
}

private struct FieldsContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let row: RowStorage
    let positions: [String: Int]
    var codingPath: [any CodingKey] { [] }

    private func set(_ value: PostgresValue, for key: Key) throws {
        guard let position = positions[key.stringValue] else {
            throw RowEncodingError(description: "the field \(key.stringValue) has no column of its name (columns: \(positions.keys.sorted()))")
        }
        row.values[position] = value
    }

    mutating func encodeNil(forKey key: Key) throws { try set(.null, for: key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try set(.bool(value), for: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try set(.text(value), for: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try set(.double(value), for: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try set(.double(Double(value)), for: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try set(.int64(Int64(value)), for: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try set(.int64(Int64(value)), for: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try set(.int64(Int64(value)), for: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try set(.int64(Int64(value)), for: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try set(.int64(value), for: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try set(try Self.integer(value, key), for: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try set(.int64(Int64(value)), for: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try set(.int64(Int64(value)), for: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try set(.int64(Int64(value)), for: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try set(try Self.integer(value, key), for: key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try set(try Self.value(of: value, key: key), for: key)
    }

    private static func integer(_ value: some BinaryInteger, _ key: Key) throws -> PostgresValue {
        guard let exact = Int64(exactly: value) else {
            throw RowEncodingError(description: "the field \(key.stringValue) is \(value), beyond bigint")
        }
        return .int64(exact)
    }

    /// A field of any other type: a known type, a value that encodes itself as one plain
    /// value, or JSON.
    private static func value<T: Encodable>(of value: T, key: Key) throws -> PostgresValue {
        switch value {
        case let date as Date: return .timestamp(date)
        case let uuid as UUID: return .uuid(uuid)
        case let data as Data: return .bytes(Array(data))
        case let decimal as Decimal: return .numeric(decimal)
        default: break
        }
        let probe = PlainValueProbe()
        try value.encode(to: probe)
        if let plain = probe.storage.value, !probe.storage.isComposite { return plain }
        let json = try JSONEncoder().encode(value)
        return .jsonb(String(decoding: json, as: UTF8.self))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        row.error = RowEncodingError(description: "the field \(key.stringValue) encodes nested fields by hand; give it a Codable type of its own")
        return DiscardingEncoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        row.error = RowEncodingError(description: "the field \(key.stringValue) encodes a list by hand; give it a Codable type of its own")
        return DiscardingEncoder().unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { FieldsEncoder(row: row, positions: positions) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { FieldsEncoder(row: row, positions: positions) }
}

/// Finds out whether a value encodes itself as one plain value (a `RawRepresentable` enum, a
/// wrapper type) and which; anything else it marks composite.
private final class PlainValueProbe: Encoder {
    final class Storage {
        var value: PostgresValue?
        var isComposite = false
    }

    let storage = Storage()
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        storage.isComposite = true
        return DiscardingEncoder().container(keyedBy: type)
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        storage.isComposite = true
        return DiscardingEncoder().unkeyedContainer()
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { PlainValueContainer(storage: storage) }
}

private struct PlainValueContainer: SingleValueEncodingContainer {
    let storage: PlainValueProbe.Storage
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { storage.value = .null }
    mutating func encode(_ value: Bool) throws { storage.value = .bool(value) }
    mutating func encode(_ value: String) throws { storage.value = .text(value) }
    mutating func encode(_ value: Double) throws { storage.value = .double(value) }
    mutating func encode(_ value: Float) throws { storage.value = .double(Double(value)) }
    mutating func encode(_ value: Int) throws { storage.value = .int64(Int64(value)) }
    mutating func encode(_ value: Int8) throws { storage.value = .int64(Int64(value)) }
    mutating func encode(_ value: Int16) throws { storage.value = .int64(Int64(value)) }
    mutating func encode(_ value: Int32) throws { storage.value = .int64(Int64(value)) }
    mutating func encode(_ value: Int64) throws { storage.value = .int64(value) }
    mutating func encode(_ value: UInt) throws { try integer(value) }
    mutating func encode(_ value: UInt8) throws { storage.value = .int64(Int64(value)) }
    mutating func encode(_ value: UInt16) throws { storage.value = .int64(Int64(value)) }
    mutating func encode(_ value: UInt32) throws { storage.value = .int64(Int64(value)) }
    mutating func encode(_ value: UInt64) throws { try integer(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        switch value {
        case let date as Date: storage.value = .timestamp(date)
        case let uuid as UUID: storage.value = .uuid(uuid)
        case let decimal as Decimal: storage.value = .numeric(decimal)
        default: storage.isComposite = true
        }
    }

    private func integer(_ value: some BinaryInteger) throws {
        guard let exact = Int64(exactly: value) else {
            storage.isComposite = true
            return
        }
        storage.value = .int64(exact)
    }
}

/// Takes whatever it is given and keeps nothing: the containers handed out where the row
/// already recorded why it cannot be made.
private struct DiscardingEncoder: Encoder {
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed<Key>())
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed() }
    func singleValueContainer() -> any SingleValueEncodingContainer { Single() }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        var codingPath: [any CodingKey] { [] }
        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {}
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>())
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { Unkeyed() }
        mutating func superEncoder() -> any Encoder { DiscardingEncoder() }
        mutating func superEncoder(forKey key: Key) -> any Encoder { DiscardingEncoder() }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        var codingPath: [any CodingKey] { [] }
        var count: Int { 0 }
        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws {}
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>())
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed() }
        mutating func superEncoder() -> any Encoder { DiscardingEncoder() }
    }

    struct Single: SingleValueEncodingContainer {
        var codingPath: [any CodingKey] { [] }
        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws {}
    }
}
