/// A closure reading `keyPath`, for aggregates that select a field. Written outside the generic
/// aggregate types so the closure does not capture their metatypes (see `reading` in
/// DataStream.swift).
func selecting<Root, Value>(_ keyPath: KeyPath<Root, Value> & Sendable) -> @Sendable (Root) -> Value {
    { $0[keyPath: keyPath] }
}

/// A closure returning its argument, for aggregates over the elements themselves.
func identity<Value>() -> @Sendable (Value) -> Value {
    { $0 }
}
