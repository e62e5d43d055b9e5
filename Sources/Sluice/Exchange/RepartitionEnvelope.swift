/// The value of every record on a repartition topic: who wrote it, in which checkpoint, and
/// what it is (an element, a watermark, or a commit marker).
///
/// ## Format (version 1)
///
/// | bytes | field |
/// |---|---|
/// | 1 | format version, `1` |
/// | 1 | kind: `0` element, `1` watermark, `2` commit marker |
/// | 4 | upstream task index, little-endian |
/// | 8 | checkpoint sequence, little-endian |
/// | 8 | incarnation of the upstream task, little-endian |
/// | rest | element: the element's bytes; watermark: 8 bytes watermark, 1 byte idle flag; marker: nothing |
///
/// A marker names a checkpoint its upstream task has **committed**: (`sequence`,
/// `incarnation`). Elements and watermarks carry the sequence of the checkpoint whose
/// transaction they were written in, and the incarnation that wrote them. See
/// ``RepartitionInbox`` for how a downstream task uses them to apply exactly the records of
/// committed transactions without trusting the broker's read_committed filter.
///
/// Keeping this in the value rather than in headers costs 22 bytes a record and no header
/// parsing; the key stays the user's key bytes, so partitioning matches Kafka's Java client.
struct RepartitionEnvelope: Equatable {
    enum Kind: Equatable {
        case element
        case watermark(Int64, idle: Bool)
        case commitMarker
    }

    static let formatVersion: UInt8 = 1
    static let headerSize = 22

    var kind: Kind
    var upstream: Int
    var sequence: UInt64
    var incarnation: UInt64

    /// The full record value: this envelope's header followed by `payload` (element bytes).
    func encoded(payload: [UInt8] = []) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.headerSize + payload.count + 9)
        bytes.append(Self.formatVersion)
        switch kind {
        case .element: bytes.append(0)
        case .watermark: bytes.append(1)
        case .commitMarker: bytes.append(2)
        }
        Self.append(UInt32(truncatingIfNeeded: upstream), to: &bytes)
        Self.append(sequence, to: &bytes)
        Self.append(incarnation, to: &bytes)
        switch kind {
        case .element:
            bytes.append(contentsOf: payload)
        case .watermark(let watermark, let idle):
            Self.append(UInt64(bitPattern: watermark), to: &bytes)
            bytes.append(idle ? 1 : 0)
        case .commitMarker:
            break
        }
        return bytes
    }

    /// Reads an envelope; for elements, the payload starts at ``headerSize``.
    static func decode(_ value: [UInt8]) throws(RepartitionFormatError) -> RepartitionEnvelope {
        guard value.count >= headerSize else { throw .truncated(value.count) }
        guard value[0] == formatVersion else { throw .unknownVersion(value[0]) }
        let upstream = Int(readUInt32(value, at: 2))
        let sequence = readUInt64(value, at: 6)
        let incarnation = readUInt64(value, at: 14)
        let kind: Kind
        switch value[1] {
        case 0:
            kind = .element
        case 1:
            guard value.count == headerSize + 9 else { throw .truncated(value.count) }
            kind = .watermark(Int64(bitPattern: readUInt64(value, at: headerSize)), idle: value[headerSize + 8] == 1)
        case 2:
            kind = .commitMarker
        case let other:
            throw .unknownKind(other)
        }
        return RepartitionEnvelope(kind: kind, upstream: upstream, sequence: sequence, incarnation: incarnation)
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func readUInt32(_ bytes: [UInt8], at start: Int) -> UInt32 {
        var value: UInt32 = 0
        for shift in 0..<4 { value |= UInt32(bytes[start + shift]) << (8 * shift) }
        return value
    }

    private static func readUInt64(_ bytes: [UInt8], at start: Int) -> UInt64 {
        var value: UInt64 = 0
        for shift in 0..<8 { value |= UInt64(bytes[start + shift]) << (8 * shift) }
        return value
    }
}

/// A repartition record this build cannot read.
enum RepartitionFormatError: Error, CustomStringConvertible {
    case truncated(Int)
    case unknownVersion(UInt8)
    case unknownKind(UInt8)

    var description: String {
        switch self {
        case .truncated(let count): "a repartition record of \(count) bytes is shorter than its envelope"
        case .unknownVersion(let version):
            "repartition record format version \(version) is not one this build of Sluice reads (it reads \(RepartitionEnvelope.formatVersion)); was the topic written by a newer Sluice?"
        case .unknownKind(let kind): "unknown repartition record kind \(kind)"
        }
    }
}
