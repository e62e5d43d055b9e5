/// One key's contents in one state of a keyed operator, as checkpoints carry it.
///
/// A full snapshot lists an entry for every key of every state; an incremental one lists only
/// the keys written or cleared since the previous checkpoint, a cleared key with a `nil`
/// ``payload``. Restoring applies entries in order: a payload replaces the key's contents in
/// that state, `nil` removes them.
public struct KeyedStateEntry: Sendable, Equatable {
    /// The state's name inside its operator (``ValueStateDescriptor/name`` and friends).
    public var state: String
    /// The stream key, encoded with the key codec of the `keyBy`.
    public var key: [UInt8]
    /// The key's encoded contents in ``state``; `nil` when the key no longer has any.
    public var payload: [UInt8]?

    /// An entry of `key` in `state`; a `nil` payload removes the key on restore.
    public init(state: String, key: [UInt8], payload: [UInt8]?) {
        self.state = state
        self.key = key
        self.payload = payload
    }
}
