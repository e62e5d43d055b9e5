/// Incremental aggregation of a window's elements, like Flink's `AggregateFunction`: the
/// window keeps only the accumulator, never the elements.
public protocol AggregateFunction<Input, Accumulator, Output>: Sendable {
    associatedtype Input
    associatedtype Accumulator
    associatedtype Output

    /// A fresh accumulator for a new window.
    func createAccumulator() -> Accumulator

    /// Folds `value` into `accumulator`.
    func add(_ value: Input, to accumulator: inout Accumulator) throws

    /// The window's result.
    func result(_ accumulator: Accumulator) throws -> Output

    /// Combines the accumulators of two session windows that merged.
    func merge(_ first: Accumulator, _ second: Accumulator) throws -> Accumulator
}
