/// A list per key, like Flink's `ListState`.
public protocol ListState<Element>: AnyObject {
    associatedtype Element

    /// The current key's elements in insertion order; empty when none.
    func get() -> [Element]

    /// Appends `element` to the current key's list.
    func add(_ element: Element)

    /// Replaces the current key's list.
    func update(_ elements: [Element])

    /// Removes the current key's list.
    func clear()
}
