/// Counts the elements of each window: `.aggregate(Count())`.
public struct Count<Input>: AggregateFunction {
    /// The count so far.
    public typealias Accumulator = Int
    /// The window's element count.
    public typealias Output = Int

    /// Counts elements of the window's element type.
    public init() {}

    /// 0.
    public func createAccumulator() -> Int { 0 }

    /// Adds one.
    public func add(_ value: Input, to accumulator: inout Int) { accumulator += 1 }

    /// The count.
    public func result(_ accumulator: Int) -> Int { accumulator }

    /// The sum of both counts.
    public func merge(_ first: Int, _ second: Int) -> Int { first + second }
}
