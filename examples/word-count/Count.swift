import Sluice

/// Counts the words of a window.
struct Count: AggregateFunction {
    func createAccumulator() -> Int { 0 }
    func add(_ value: String, to accumulator: inout Int) { accumulator += 1 }
    func result(_ accumulator: Int) -> Int { accumulator }
    func merge(_ first: Int, _ second: Int) -> Int { first + second }
}
