/// The key the state handles of one backend read and write, shared by reference so setting it
/// once reaches every handle.
final class KeyCursor<Key> {
    var key: Key?

    var current: Key {
        guard let key else { preconditionFailure("keyed state used outside a keyed context") }
        return key
    }
}
