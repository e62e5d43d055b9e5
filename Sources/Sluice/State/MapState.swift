/// A map per key, like Flink's `MapState`.
public protocol MapState<MapKey, Value>: AnyObject {
    associatedtype MapKey: Hashable
    associatedtype Value

    /// The value under `key` in the current key's map.
    func get(_ key: MapKey) -> Value?

    /// Stores `value` under `key` in the current key's map.
    func put(_ key: MapKey, _ value: Value)

    /// Removes `key` from the current key's map.
    func remove(_ key: MapKey)

    /// Whether the current key's map holds `key`.
    func contains(_ key: MapKey) -> Bool

    /// The current key's entries, in no particular order.
    func entries() -> [(key: MapKey, value: Value)]

    /// Whether the current key's map is empty.
    var isEmpty: Bool { get }

    /// Removes the current key's whole map.
    func clear()
}
