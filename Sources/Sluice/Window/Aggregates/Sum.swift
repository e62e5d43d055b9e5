/// Sums a field of each window's elements: `.aggregate(Sum(\.amount))`, `.aggregate(Sum { $0.price * $0.quantity })`,
/// or `.aggregate(Sum())` over numbers themselves.
///
/// Integer sums trap on overflow, as Swift's `+` does; sum a wider type when that can happen.
public struct Sum<Input, Value: AdditiveArithmetic>: AggregateFunction {
    /// The sum so far.
    public typealias Accumulator = Value
    /// The window's sum.
    public typealias Output = Value

    private let select: @Sendable (Input) throws -> Value

    /// Sums the field at `field`.
    public init(_ field: KeyPath<Input, Value> & Sendable) {
        select = selecting(field)
    }

    /// Sums what `select` returns for each element.
    public init(_ select: @escaping @Sendable (Input) throws -> Value) {
        self.select = select
    }

    /// `Value.zero`.
    public func createAccumulator() -> Value { .zero }

    /// Adds the element's selected value.
    public func add(_ value: Input, to accumulator: inout Value) throws { accumulator += try select(value) }

    /// The sum.
    public func result(_ accumulator: Value) -> Value { accumulator }

    /// The sum of both sums.
    public func merge(_ first: Value, _ second: Value) -> Value { first + second }
}

extension Sum where Input == Value {
    /// Sums the elements themselves.
    public init() {
        select = identity()
    }
}
