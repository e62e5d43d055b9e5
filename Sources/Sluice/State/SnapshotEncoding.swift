/// Length-prefixed binary writing for snapshots: little-endian integers, byte strings prefixed
/// with their length, so a reader can skip what it does not understand.
struct SnapshotWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Int64) {
        write(UInt64(bitPattern: value))
    }

    mutating func write(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// A byte string that may be absent: a presence flag, then the bytes.
    mutating func write(optionalBytes chunk: [UInt8]?) {
        write(chunk != nil)
        if let chunk { write(bytes: chunk) }
    }

    mutating func write(bytes chunk: [UInt8]) {
        write(UInt32(chunk.count))
        bytes.append(contentsOf: chunk)
    }

    mutating func write(string: String) {
        write(bytes: Array(string.utf8))
    }

    /// Appends bytes another writer produced, without a length prefix.
    mutating func write(raw chunk: [UInt8]) {
        bytes.append(contentsOf: chunk)
    }

    /// A keyed entry: its state's name, its key, and its payload or the absence of one.
    mutating func write(entry: KeyedStateEntry) {
        write(string: entry.state)
        write(bytes: entry.key)
        write(optionalBytes: entry.payload)
    }
}

/// Reads what ``SnapshotWriter`` wrote.
struct SnapshotReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position == bytes.count }

    mutating func readUInt8() throws -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readUInt32() throws -> UInt32 {
        try need(4)
        var value: UInt32 = 0
        for shift in 0..<4 {
            value |= UInt32(bytes[position + shift]) << (8 * shift)
        }
        position += 4
        return value
    }

    mutating func readUInt64() throws -> UInt64 {
        try need(8)
        var value: UInt64 = 0
        for shift in 0..<8 {
            value |= UInt64(bytes[position + shift]) << (8 * shift)
        }
        position += 8
        return value
    }

    mutating func readInt64() throws -> Int64 {
        Int64(bitPattern: try readUInt64())
    }

    mutating func readBool() throws -> Bool {
        switch try readUInt8() {
        case 0: false
        case 1: true
        case let other: throw StateError.corruptSnapshot("a flag holds \(other)")
        }
    }

    mutating func readOptionalBytes() throws -> [UInt8]? {
        try readBool() ? try readBytes() : nil
    }

    mutating func readBytes() throws -> [UInt8] {
        let count = Int(try readUInt32())
        try need(count)
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    mutating func readString() throws -> String {
        let raw = try readBytes()
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw StateError.corruptSnapshot("a name is not UTF-8")
        }
        return string
    }

    mutating func readEntry() throws -> KeyedStateEntry {
        KeyedStateEntry(state: try readString(), key: try readBytes(), payload: try readOptionalBytes())
    }

    private func need(_ count: Int) throws {
        if position + count > bytes.count {
            throw SerializationError.truncated(expected: count, available: bytes.count - position)
        }
    }
}
