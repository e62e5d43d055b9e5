/// The largest value of a field of each window's elements: `.aggregate(Max(\.temperature))`,
/// `.aggregate(Max { $0.price })`, or `.aggregate(Max())` over comparable elements.
public struct Max<Input, Value: Comparable>: AggregateFunction {
    /// The largest value so far, `nil` before the first element.
    public typealias Accumulator = Value?
    /// The window's largest value.
    public typealias Output = Value

    private let select: @Sendable (Input) throws -> Value

    /// The largest value at `field`.
    public init(_ field: KeyPath<Input, Value> & Sendable) {
        select = selecting(field)
    }

    /// The largest value `select` returns.
    public init(_ select: @escaping @Sendable (Input) throws -> Value) {
        self.select = select
    }

    /// `nil`.
    public func createAccumulator() -> Value? { nil }

    /// Keeps the element's selected value when it is largest so far.
    public func add(_ value: Input, to accumulator: inout Value?) throws {
        let selected = try select(value)
        if let current = accumulator, !(selected > current) { return }
        accumulator = selected
    }

    /// The largest value; throws ``AggregateError/noElements(aggregate:)`` for none.
    public func result(_ accumulator: Value?) throws -> Value {
        guard let accumulator else { throw AggregateError.noElements(aggregate: "Max") }
        return accumulator
    }

    /// The largest of both.
    public func merge(_ first: Value?, _ second: Value?) -> Value? {
        guard let first, let second else { return first ?? second }
        return second > first ? second : first
    }
}

extension Max where Input == Value {
    /// The largest element itself.
    public init() {
        select = identity()
    }
}
