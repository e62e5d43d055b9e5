import Foundation
import Sluice
import Synchronization

/// Counts the records a worker's job processes, per stage, from any task thread: the
/// deserializer counts input records (stage 0), the window aggregate counts the records it adds
/// (stage 1, behind the repartition topic). A worker process prints the counts with the time, so
/// its parent sees whether it kept processing while others joined or left.
public final class ProgressCounter: Sendable {
    private let input = Atomic<Int>(0)
    private let keyed = Atomic<Int>(0)

    /// Creates counts of zero.
    public init() {}

    /// Input records decoded so far, replays after a rewind included.
    public var inputRecords: Int { input.load(ordering: .relaxed) }
    /// Records added to windows so far, replays after a rewind included.
    public var keyedRecords: Int { keyed.load(ordering: .relaxed) }

    func countInput() { input.add(1, ordering: .relaxed) }
    func countKeyed() { keyed.add(1, ordering: .relaxed) }

    /// `base`, counting each record it decodes.
    struct CountingDeserializer<Base: Deserializer>: Deserializer {
        let base: Base
        let counter: ProgressCounter

        func deserialize(_ bytes: [UInt8]) throws -> Base.Value {
            let value = try base.deserialize(bytes)
            counter.countInput()
            return value
        }
    }

    /// `base`, counting each value it adds to an accumulator.
    struct CountingAggregate<Base: AggregateFunction>: AggregateFunction {
        let base: Base
        let counter: ProgressCounter

        func createAccumulator() -> Base.Accumulator { base.createAccumulator() }
        func add(_ value: Base.Input, to accumulator: inout Base.Accumulator) throws {
            try base.add(value, to: &accumulator)
            counter.countKeyed()
        }
        func result(_ accumulator: Base.Accumulator) throws -> Base.Output { try base.result(accumulator) }
        func merge(_ first: Base.Accumulator, _ second: Base.Accumulator) throws -> Base.Accumulator { try base.merge(first, second) }
    }
}
