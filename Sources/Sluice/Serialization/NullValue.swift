/// Optional types, whose `nil` stands for a null record value (a tombstone).
protocol NullableValue {
    /// `nil` of this type.
    static var null: Self { get }
    /// Whether this value is `nil`.
    var isNull: Bool { get }
}

extension Optional: NullableValue {
    static var null: Self { nil }
    var isNull: Bool { if case .none = self { true } else { false } }
}

/// How the default null handling of ``Serializer`` and ``Deserializer`` tells an Optional value
/// type from others without constraining `Value`.
enum NullValue {
    /// `nil` of `type` when it is Optional; `nil` of `Value?` (no null) otherwise.
    static func of<Value>(_ type: Value.Type) -> Value? {
        guard let nullable = type as? any NullableValue.Type else { return nil }
        func make<T: NullableValue>(_: T.Type) -> Value? { T.null as? Value }
        return make(nullable)
    }

    /// Whether `value` is the `nil` of an Optional type.
    static func isNull<Value>(_ value: Value) -> Bool {
        guard let nullable = Value.self as? any NullableValue.Type else { return false }
        func check<T: NullableValue>(_: T.Type) -> Bool { (value as? T)?.isNull ?? false }
        return check(nullable)
    }
}
