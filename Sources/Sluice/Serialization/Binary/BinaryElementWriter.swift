/// Writes elements in ``BinaryCodec``'s format, keeping its buffers between elements: the
/// encoder state one task (one thread at a time) uses for a stream of elements.
///
/// Not thread-safe: give each task or thread its own writer. ``BinaryCodec/serialize(_:)`` makes
/// a new one per call; the engine's repartition exchange keeps one per task.
public final class BinaryElementWriter<Value: Encodable> {
    private let topLevel = BinaryTopLevel<Value>.of(Value.self)
    private let core = BinaryEncodingCore()

    /// A writer with empty buffers.
    public init() {}

    /// The element's bytes.
    ///
    /// - Throws: ``BinaryCodecError/unencodable(path:reason:)`` when a container was used out of
    ///   order, or the error the value's `encode(to:)` threw.
    public func encode(_ value: Value) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(expectedSize)
        try encode(value, appendingTo: &bytes)
        expectedSize = bytes.count + 16
        return bytes
    }

    /// Room reserved for the next element: the previous one's size and some, so an element's
    /// bytes are allocated once.
    @exclusivity(unchecked) private var expectedSize = 32

    /// Appends the element's bytes to `bytes` (after a header of the caller's, for example);
    /// on a thrown error `bytes` is left as it was.
    public func encode(_ value: Value, appendingTo bytes: inout [UInt8]) throws {
        bytes.append(BinaryFormat.version)
        switch topLevel {
        case .string:
            var string = unsafeBitCast(value, to: String.self)
            string.withUTF8 { utf8 in
                Varint.append(UInt64(utf8.count), to: &bytes)
                bytes.append(contentsOf: utf8)
            }
        case .bytes:
            let raw = unsafeBitCast(value, to: [UInt8].self)
            Varint.append(UInt64(raw.count), to: &bytes)
            bytes.append(contentsOf: raw)
        case .integer(let toBits, _):
            let bits = toBits(value)
            bytes.append(UInt8(truncatingIfNeeded: Varint.size(bits)))
            Varint.append(bits, to: &bytes)
        case .codable:
            let start = bytes.count - 1
            do {
                try encodeCodable(value, appendingTo: &bytes)
            } catch {
                bytes.removeSubrange(start...)
                throw BinaryCodecError.wrapping(error)
            }
        }
    }

    private func encodeCodable(_ value: Value, appendingTo bytes: inout [UInt8]) throws {
        core.reset()
        try core.writeValue(value, depth: 0, id: core.rootID)
        core.close(downTo: 0)
        if let failure = core.deferredFailure { throw failure }
        if core.rootIsNil {
            bytes.append(0)
            return
        }
        var tableSize = Varint.size(UInt64(core.names.count))
        for name in core.names {
            let count = name.utf8.count
            tableSize += Varint.size(UInt64(count)) + count
        }
        let size = tableSize + core.body.count
        if bytes.capacity < bytes.count + size + Varint.maxBytes { bytes.reserveCapacity(bytes.count + size + Varint.maxBytes) }
        Varint.append(UInt64(size + 1), to: &bytes)
        Varint.append(UInt64(core.names.count), to: &bytes)
        for var name in core.names {
            name.withUTF8 { utf8 in
                Varint.append(UInt64(utf8.count), to: &bytes)
                bytes.append(contentsOf: utf8)
            }
        }
        bytes.append(contentsOf: core.body)
    }
}
