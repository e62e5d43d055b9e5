/// One value per key, like Flink's `ValueState`.
///
/// Reads and writes apply to the key of the element or timer being processed; the runtime sets
/// it before calling the function.
public protocol ValueState<Value>: AnyObject {
    associatedtype Value

    /// The current key's value, or `nil` when none was stored.
    func value() -> Value?

    /// Stores `value` for the current key; `nil` clears it.
    func update(_ value: Value?)

    /// Removes the current key's value.
    func clear()
}
