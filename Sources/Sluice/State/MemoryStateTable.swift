/// What every memory state table does for checkpoints, whatever its kind: lists its keys'
/// contents as entries, all of them or only the keys changed since the last snapshot, and
/// applies entries on restore.
///
/// Public only as the base of ``MemoryWindowState``, which a ``KeyedStateBackend`` hands to
/// window operators; its members are Sluice's own.
public class MemoryStateTable<Key: Hashable> {
    let name: String
    /// Whether writes record their key for changes-only snapshots. Read on every write, so it
    /// opts out of run-time exclusivity checks: only ``setTracksChanges(_:)`` assigns it, on the
    /// task's thread, never during a write.
    @exclusivity(unchecked) private(set) final var tracksChanges = false

    init(name: String) {
        self.name = name
    }

    /// Turns change recording on or off; off forgets what was recorded.
    final func setTracksChanges(_ on: Bool) {
        if !on { forgetChanges() }
        tracksChanges = on
    }

    /// Runs `body` with change recording off, for restoring through methods that record.
    final func withoutTracking<Result>(_ body: () throws -> Result) rethrows -> Result {
        let tracking = tracksChanges
        tracksChanges = false
        defer { tracksChanges = tracking }
        return try body()
    }

    var keys: [Key] { preconditionFailure("subclass responsibility") }

    /// Throws ``StateError/codecRequired(state:type:)`` when a codec the contents need is missing.
    func checkEncodable() throws {
        preconditionFailure("subclass responsibility")
    }

    /// Hands `body` an entry for every key, or for every key changed since ``forgetChanges()``
    /// (`nil` payload when it has no contents left). Does not forget the changes itself, so the
    /// backend forgets them only once every table succeeded.
    func forEachEntry(changesOnly: Bool, keyCodec: any Codec<Key>, _ body: (KeyedStateEntry) throws -> Void) throws {
        preconditionFailure("subclass responsibility")
    }

    func forgetChanges() {
        preconditionFailure("subclass responsibility")
    }

    /// Replaces `key`'s contents with `payload` decoded, or removes them for `nil`, recording no
    /// change.
    func apply(_ payload: [UInt8]?, to key: Key) throws {
        preconditionFailure("subclass responsibility")
    }

    /// Drops every key's contents and the recorded changes.
    func removeAll() {
        preconditionFailure("subclass responsibility")
    }

    final func requireCodec<Value>(_ codec: (any Codec<Value>)?, of what: String? = nil) throws -> any Codec<Value> {
        guard let codec else { throw StateError.notSnapshottable(what.map { "\($0) of state '\(name)'" } ?? "state '\(name)'") }
        return codec
    }

    /// Throws ``StateError/codecRequired(state:type:)`` naming `Value` when `codec` is missing.
    final func checkCodec<Value>(_ codec: (any Codec<Value>)?, for _: Value.Type) throws {
        if codec == nil { throw StateError.codecRequired(state: name, type: "\(Value.self)") }
    }
}
