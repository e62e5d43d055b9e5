import Sluice

/// Counts the words of a window: the aggregate README's job snippet names (the same as
/// `examples/word-count`'s).
struct Count: AggregateFunction {
    func createAccumulator() -> Int { 0 }
    func add(_ value: String, to accumulator: inout Int) { accumulator += 1 }
    func result(_ accumulator: Int) -> Int { accumulator }
    func merge(_ first: Int, _ second: Int) -> Int { first + second }
}
