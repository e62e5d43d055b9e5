/// What every memory state table can do for snapshots, whatever its kind.
class MemoryStateTable<Key: Hashable> {
    let name: String

    init(name: String) {
        self.name = name
    }

    var keys: [Key] { preconditionFailure("subclass responsibility") }

    func encodedEntries(keyCodec: any Codec<Key>) throws -> [(key: [UInt8], payload: [UInt8])] {
        preconditionFailure("subclass responsibility")
    }

    func replaceContents(with entries: [(key: [UInt8], payload: [UInt8])], keyCodec: any Codec<Key>) throws {
        preconditionFailure("subclass responsibility")
    }

    func requireCodec<Value>(_ codec: (any Codec<Value>)?) throws -> any Codec<Value> {
        guard let codec else { throw StateError.notSnapshottable("state '\(name)'") }
        return codec
    }
}
