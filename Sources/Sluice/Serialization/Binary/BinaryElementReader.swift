/// Reads elements in ``BinaryCodec``'s format, keeping its buffers (and the field names of the
/// previous element) between elements: the decoder state one task uses for a stream of
/// elements.
///
/// Not thread-safe: give each task or thread its own reader.
public final class BinaryElementReader<Value: Decodable> {
    private let topLevel = BinaryTopLevel<Value>.of(Value.self)
    private let core = BinaryDecodingCore()

    /// A reader with empty buffers.
    public init() {}

    /// Decodes one element from all of `bytes`.
    ///
    /// - Throws: ``BinaryCodecError`` naming what was wrong (an unknown version, a truncated
    ///   element, invalid UTF-8, a missing field, with the field's coding path), or the error
    ///   the value's `init(from:)` threw.
    public func decode(_ bytes: [UInt8]) throws -> Value {
        try bytes.withUnsafeBufferPointer { try decode($0) }
    }

    /// Decodes one element from `bytes[start...]` (the bytes after a caller's header); a
    /// `start` past the end is an empty element.
    public func decode(_ bytes: [UInt8], from start: Int) throws -> Value {
        guard start >= 0, start < bytes.count else { throw BinaryCodecError.empty }
        return try bytes.withUnsafeBufferPointer { try decode(UnsafeBufferPointer(rebasing: $0[start...])) }
    }

    /// Decodes one element from all of `buffer`, which is only read during the call.
    public func decode(_ buffer: UnsafeBufferPointer<UInt8>) throws -> Value {
        guard let first = buffer.first else { throw BinaryCodecError.empty }
        guard first == BinaryFormat.version else { throw BinaryCodecError.unknownVersion(first) }
        core.begin(buffer)
        defer { core.finish() }
        var position = 1
        let end = buffer.count
        guard let declared = core.varint(&position, end: end) else {
            throw BinaryCodecError.lengthMismatch(declared: end, available: end - 1)
        }
        if case .codable = topLevel {
            // Codable elements announce their length + 1; 0 is a nil element.
            if declared == 0 {
                guard position == end else { throw BinaryCodecError.lengthMismatch(declared: 0, available: end - position) }
                return try decodeRoot(BinaryDecodingCore.nilSlot)
            }
            guard declared - 1 == UInt64(end - position) else {
                throw BinaryCodecError.lengthMismatch(declared: Int(clamping: declared - 1), available: end - position)
            }
        } else {
            guard declared == UInt64(end - position) else {
                throw BinaryCodecError.lengthMismatch(declared: Int(clamping: declared), available: end - position)
            }
        }
        do {
            switch topLevel {
            case .string:
                return unsafeBitCast(try core.string(position..<end, depth: 0), to: Value.self)
            case .bytes:
                return unsafeBitCast(Array(buffer[position...]), to: Value.self)
            case .integer(_, let fromBits):
                guard let value = fromBits(try core.unsigned(position..<end, depth: 0)) else {
                    throw core.corrupt("the integer does not fit in \(Value.self)", depth: 0)
                }
                return value
            case .codable:
                try core.readNames(&position, end: end)
                return try core.value(Value.self, position..<end, depth: 0)
            }
        } catch {
            throw BinaryCodecError.wrapping(error)
        }
    }

    private func decodeRoot(_ slot: Range<Int>) throws -> Value {
        do {
            return try core.value(Value.self, slot, depth: 0)
        } catch {
            throw BinaryCodecError.wrapping(error)
        }
    }
}
