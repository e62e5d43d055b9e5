/// The smallest value of a field of each window's elements: `.aggregate(Min(\.temperature))`,
/// `.aggregate(Min { $0.price })`, or `.aggregate(Min())` over comparable elements.
public struct Min<Input, Value: Comparable>: AggregateFunction {
    /// The smallest value so far, `nil` before the first element.
    public typealias Accumulator = Value?
    /// The window's smallest value.
    public typealias Output = Value

    private let select: @Sendable (Input) throws -> Value

    /// The smallest value at `field`.
    public init(_ field: KeyPath<Input, Value> & Sendable) {
        select = selecting(field)
    }

    /// The smallest value `select` returns.
    public init(_ select: @escaping @Sendable (Input) throws -> Value) {
        self.select = select
    }

    /// `nil`.
    public func createAccumulator() -> Value? { nil }

    /// Keeps the element's selected value when it is smallest so far.
    public func add(_ value: Input, to accumulator: inout Value?) throws {
        let selected = try select(value)
        if let current = accumulator, !(selected < current) { return }
        accumulator = selected
    }

    /// The smallest value; throws ``AggregateError/noElements(aggregate:)`` for none.
    public func result(_ accumulator: Value?) throws -> Value {
        guard let accumulator else { throw AggregateError.noElements(aggregate: "Min") }
        return accumulator
    }

    /// The smallest of both.
    public func merge(_ first: Value?, _ second: Value?) -> Value? {
        guard let first, let second else { return first ?? second }
        return second < first ? second : first
    }
}

extension Min where Input == Value {
    /// The smallest element itself.
    public init() {
        select = identity()
    }
}
