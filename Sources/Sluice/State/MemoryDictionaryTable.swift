/// A memory state table that keeps each key's contents in one dictionary: the value, list and
/// map states, which differ only in what they store per key and how they encode it.
class MemoryDictionaryTable<Key: Hashable, Stored>: MemoryStateTable<Key> {
    final let cursor: KeyCursor<Key>
    /// Written by the state handles, which call ``noteChange(_:)`` after every write.
    final var data: [Key: Stored] = [:]
    /// Keys written or cleared since the last snapshot, while ``tracksChanges`` is on.
    private(set) final var changedKeys: Set<Key> = []

    init(name: String, cursor: KeyCursor<Key>) {
        self.cursor = cursor
        super.init(name: name)
    }

    /// Records that `key` was written or cleared.
    @inline(__always)
    final func noteChange(_ key: Key) {
        if tracksChanges { changedKeys.insert(key) }
    }

    /// One key's contents as a payload.
    func encode(_ stored: Stored) throws -> [UInt8] {
        preconditionFailure("subclass responsibility")
    }

    /// Reads what ``encode(_:)`` wrote.
    func decode(_ payload: [UInt8]) throws -> Stored {
        preconditionFailure("subclass responsibility")
    }

    override final var keys: [Key] { Array(data.keys) }

    override final func forEachEntry(
        changesOnly: Bool, keyCodec: any Codec<Key>, _ body: (KeyedStateEntry) throws -> Void
    ) throws {
        if changesOnly {
            for key in changedKeys {
                try body(KeyedStateEntry(state: name, key: try keyCodec.serialize(key), payload: try data[key].map(encode)))
            }
        } else {
            for (key, stored) in data {
                try body(KeyedStateEntry(state: name, key: try keyCodec.serialize(key), payload: try encode(stored)))
            }
        }
    }

    override final func forgetChanges() {
        changedKeys.removeAll()
    }

    override final func apply(_ payload: [UInt8]?, to key: Key) throws {
        data[key] = try payload.map(decode)
    }

    override final func removeAll() {
        data.removeAll()
        changedKeys.removeAll()
    }
}
