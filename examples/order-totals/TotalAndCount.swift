import Sluice

/// Sums a window's order amounts and counts its orders.
struct TotalAndCount: AggregateFunction {
    /// The running sum and count.
    struct Accumulator: Codable, Sendable {
        var total = 0.0
        var count = 0
    }

    func createAccumulator() -> Accumulator { Accumulator() }
    func add(_ value: Order, to accumulator: inout Accumulator) {
        accumulator.total += value.amount
        accumulator.count += 1
    }
    func result(_ accumulator: Accumulator) -> Accumulator { accumulator }
    func merge(_ first: Accumulator, _ second: Accumulator) -> Accumulator {
        Accumulator(total: first.total + second.total, count: first.count + second.count)
    }
}
