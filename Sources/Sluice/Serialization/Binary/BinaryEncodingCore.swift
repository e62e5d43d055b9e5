import Foundation

/// The state of one element being written: the body bytes, the field names met so far, and the
/// stack of open slots (length-prefixed values whose length is written when they close).
///
/// Writing streams into one buffer. A slot opens for a nested value, a nested container or a
/// super encoder, and closes when a container at a shallower depth writes again or the element
/// ends; its length byte is reserved when it opens and patched when it closes (moving the
/// content only when the length needs more than one byte). A container written to after its
/// slot closed (its parent moved on) is an error; Codable types write their containers in order.
///
/// One instance serves one element at a time and keeps its buffers between elements. It is
/// used by one thread, and its methods never hold an access to a property across a call that
/// could reach the same property, so its properties skip Swift's run-time exclusivity checks,
/// which otherwise cost about a quarter of an element's instructions.
final class BinaryEncodingCore {
    /// The element's body: its root value, then everything nested.
    @exclusivity(unchecked) var body: [UInt8] = []
    /// Field names in the order first used; a field refers to its name by index.
    @exclusivity(unchecked) private(set) var names: [String] = []
    @exclusivity(unchecked) private var nameIndex: [String: Int] = [:]
    /// For each open slot, the position of its reserved length byte (`-1` for the root, which
    /// has no length) and an identity that containers writing into it hold.
    @exclusivity(unchecked) private var slotPositions: [Int] = []
    @exclusivity(unchecked) private var slotIDs: [UInt32] = []
    /// Whether each open slot holds `nil` (`encodeNil()` of a single value container).
    @exclusivity(unchecked) private var slotIsNil: [Bool] = []
    @exclusivity(unchecked) private var nextSlotID: UInt32 = 0
    /// The coding key of each open slot but the root: the coding path.
    @exclusivity(unchecked) private var keys: [any CodingKey] = []
    /// The first failure of a call that cannot throw (`nestedContainer`), thrown at the end.
    @exclusivity(unchecked) var deferredFailure: EncodingError?

    /// Starts a new element; the root slot is open at depth 0. After an element that ended
    /// normally only the body, the names and the root need resetting.
    func reset() {
        body.removeAll(keepingCapacity: true)
        names.removeAll(keepingCapacity: true)
        if !nameIndex.isEmpty { nameIndex.removeAll(keepingCapacity: true) }
        nextSlotID &+= 1
        if slotPositions.count == 1 && deferredFailure == nil {
            slotIDs[0] = nextSlotID
            slotIsNil[0] = false
            return
        }
        slotPositions.removeAll(keepingCapacity: true)
        slotIDs.removeAll(keepingCapacity: true)
        slotIsNil.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        deferredFailure = nil
        slotPositions.append(-1)
        slotIDs.append(nextSlotID)
        slotIsNil.append(false)
    }

    /// The root slot's identity.
    var rootID: UInt32 { slotIDs[0] }

    /// Whether the element itself is `nil`.
    var rootIsNil: Bool { slotIsNil[0] }

    /// Marks the slot at `depth`, which holds nothing, as `nil`.
    func markNil(depth: Int) {
        slotIsNil[depth] = true
    }

    func codingPath(depth: Int) -> [any CodingKey] {
        Array(keys.prefix(depth))
    }

    // MARK: Slots

    /// Makes the slot at `depth` the innermost open one, closing deeper ones; `false` when that
    /// slot is no longer open (a container used after its parent moved on).
    @inline(__always)
    func prepare(depth: Int, id: UInt32) -> Bool {
        if slotPositions.count - 1 > depth { close(downTo: depth) }
        return depth < slotIDs.count && slotIDs[depth] == id
    }

    /// ``prepare(depth:id:)``, throwing when the container is stale.
    @inline(__always)
    func requireOpen(depth: Int, id: UInt32) throws {
        guard prepare(depth: depth, id: id) else { throw stale(depth: depth) }
    }

    func stale(depth: Int) -> EncodingError {
        EncodingError.invalidValue(
            "", EncodingError.Context(
                codingPath: codingPath(depth: min(depth, keys.count)),
                debugDescription: "a container was written to after its parent container moved on; BinaryCodec writes containers in order"))
    }

    /// Records a failure of a call that cannot throw.
    func recordFailure(_ failure: EncodingError) {
        if deferredFailure == nil { deferredFailure = failure }
    }

    /// Opens a slot named `key` at the end of the body; returns its depth and identity.
    func openSlot(key: any CodingKey) -> (depth: Int, id: UInt32) {
        body.append(0)
        slotPositions.append(body.count - 1)
        nextSlotID &+= 1
        slotIDs.append(nextSlotID)
        slotIsNil.append(false)
        keys.append(key)
        return (slotPositions.count - 1, nextSlotID)
    }

    /// Closes every slot deeper than `depth`, innermost first, writing their lengths.
    func close(downTo depth: Int) {
        while slotPositions.count - 1 > depth {
            let position = slotPositions.removeLast()
            slotIDs.removeLast()
            keys.removeLast()
            patchHeader(at: position, isNil: slotIsNil.removeLast())
        }
    }

    /// Writes a closed slot's header: `0` for `nil`, otherwise its length + 1.
    private func patchHeader(at position: Int, isNil: Bool) {
        let header = isNil ? 0 : body.count - position
        if header < 0x80 {
            body[position] = UInt8(truncatingIfNeeded: header)
            return
        }
        let size = Varint.size(UInt64(header))
        body.insert(contentsOf: repeatElement(0, count: size - 1), at: position + 1)
        Varint.write(UInt64(header), into: &body, at: position)
    }

    /// Whether the slot at `depth` holds nothing yet, or where its content starts.
    func contentStart(depth: Int) -> Int {
        slotPositions[depth] + 1
    }

    // MARK: Field names

    /// Writes a field's key: an index into the element's name table (even), or an integer key
    /// whose name is its decimal digits (odd), as dictionaries with `Int` keys use.
    @inline(__always)
    func writeKey(_ key: some CodingKey) {
        if let int = key.intValue, abs(int) < 1 << 60, String(int) == key.stringValue {
            Varint.append(Varint.zigzag(Int64(int)) << 1 | 1, to: &body)
            return
        }
        Varint.append(UInt64(index(of: key.stringValue)) << 1, to: &body)
    }

    private func index(of name: String) -> Int {
        if names.count <= BinaryFormat.linearNameLimit {
            for index in names.indices where names[index] == name { return index }
            names.append(name)
            if names.count > BinaryFormat.linearNameLimit {
                for (index, name) in names.enumerated() { nameIndex[name] = index }
            }
            return names.count - 1
        }
        if let index = nameIndex[name] { return index }
        names.append(name)
        nameIndex[name] = names.count - 1
        return names.count - 1
    }

    // MARK: Values in their own slot (fields and array elements)
    //
    // A slot's header is a varint: 0 for nil, otherwise the content's length + 1, so an empty
    // string is not nil.

    @inline(__always)
    func writeStringSlot(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            Varint.append(UInt64(utf8.count) + 1, to: &body)
            body.append(contentsOf: utf8)
        }
    }

    /// A `nil` field or element.
    @inline(__always)
    func writeNilSlot() {
        body.append(0)
    }

    @inline(__always)
    func writeUnsignedSlot(_ value: UInt64) {
        body.append(UInt8(truncatingIfNeeded: Varint.size(value) + 1))
        Varint.append(value, to: &body)
    }

    @inline(__always)
    func writeSignedSlot(_ value: Int64) {
        writeUnsignedSlot(Varint.zigzag(value))
    }

    @inline(__always)
    func writeBoolSlot(_ value: Bool) {
        body.append(2)
        body.append(value ? 1 : 0)
    }

    @inline(__always)
    func writeFixedSlot<T: FixedWidthInteger>(_ bits: T) {
        body.append(UInt8(truncatingIfNeeded: MemoryLayout<T>.size + 1))
        writeFixed(bits)
    }

    func writeBytesSlot(_ bytes: UnsafeRawBufferPointer) {
        Varint.append(UInt64(bytes.count + 2), to: &body)
        body.append(BinaryFormat.byteContainer)
        body.append(contentsOf: bytes)
    }

    /// Writes `value` as a field or array element named `key`: common types directly, others
    /// through their `encode(to:)` in a slot of their own.
    func writeValueSlot<T: Encodable>(_ value: T, key: some CodingKey) throws {
        if T.self == String.self {
            writeStringSlot(unsafeBitCast(value, to: String.self))
        } else if T.self == Int.self {
            writeSignedSlot(Int64(unsafeBitCast(value, to: Int.self)))
        } else if T.self == Double.self {
            writeFixedSlot(unsafeBitCast(value, to: Double.self).bitPattern)
        } else if T.self == Bool.self {
            writeBoolSlot(unsafeBitCast(value, to: Bool.self))
        } else if T.self == [UInt8].self {
            unsafeBitCast(value, to: [UInt8].self).withUnsafeBytes { writeBytesSlot($0) }
        } else if T.self == Data.self {
            unsafeBitCast(value, to: Data.self).withUnsafeBytes { writeBytesSlot($0) }
        } else {
            let (depth, id) = openSlot(key: key)
            try value.encode(to: BinaryValueEncoder(core: self, depth: depth, id: id))
            close(downTo: depth - 1)
        }
    }

    // MARK: Values filling the current slot (single values, the root)

    @inline(__always)
    func writeFixed<T: FixedWidthInteger>(_ bits: T) {
        withUnsafeBytes(of: bits.littleEndian) { body.append(contentsOf: $0) }
    }

    @inline(__always)
    func writeString(_ value: String) {
        var value = value
        value.withUTF8 { body.append(contentsOf: $0) }
    }

    /// Writes `value` into the slot at `depth`, which it fills.
    func writeValue<T: Encodable>(_ value: T, depth: Int, id: UInt32) throws {
        if T.self == String.self {
            writeString(unsafeBitCast(value, to: String.self))
        } else if T.self == Int.self {
            Varint.append(Varint.zigzag(Int64(unsafeBitCast(value, to: Int.self))), to: &body)
        } else if T.self == [UInt8].self {
            body.append(BinaryFormat.byteContainer)
            body.append(contentsOf: unsafeBitCast(value, to: [UInt8].self))
        } else if T.self == Data.self {
            body.append(BinaryFormat.byteContainer)
            body.append(contentsOf: unsafeBitCast(value, to: Data.self))
        } else {
            try value.encode(to: BinaryValueEncoder(core: self, depth: depth, id: id))
        }
    }

    /// Starts a keyed container in the slot at `depth`: its marker byte, unless an earlier
    /// `container(keyedBy:)` of the same value (a class and its superclass sharing an
    /// encoder) wrote it already. Other content there is an error, recorded for the end.
    func beginKeyedContainer(depth: Int, id: UInt32) {
        guard prepare(depth: depth, id: id) else { return self.recordFailure(stale(depth: depth)) }
        let start = contentStart(depth: depth)
        if body.count == start {
            body.append(BinaryFormat.keyedContainer)
        } else if body[start] != BinaryFormat.keyedContainer {
            self.recordFailure(EncodingError.invalidValue(
                "", EncodingError.Context(
                    codingPath: codingPath(depth: depth),
                    debugDescription: "a keyed container requested where a value was already written")))
        }
    }

    /// Starts an unkeyed container in the slot at `depth`.
    func beginUnkeyedContainer(depth: Int, id: UInt32) {
        guard prepare(depth: depth, id: id) else { return self.recordFailure(stale(depth: depth)) }
        guard body.count == contentStart(depth: depth) else {
            return self.recordFailure(EncodingError.invalidValue(
                "", EncodingError.Context(
                    codingPath: codingPath(depth: depth),
                    debugDescription: "an unkeyed container requested where a value was already written")))
        }
        body.append(BinaryFormat.unkeyedContainer)
    }
}
