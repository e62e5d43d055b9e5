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

    mutating func write(bytes chunk: [UInt8]) {
        write(UInt32(chunk.count))
        bytes.append(contentsOf: chunk)
    }

    mutating func write(string: String) {
        write(bytes: Array(string.utf8))
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

    private func need(_ count: Int) throws {
        if position + count > bytes.count {
            throw SerializationError.truncated(expected: count, available: bytes.count - position)
        }
    }
}
