import XCTest
@testable import Sluice

/// Counts with an accumulator that is not `Codable`.
struct OpaqueCount: AggregateFunction {
    struct Tally {
        var count = 0
    }

    func createAccumulator() -> Tally { Tally() }
    func add(_ value: Event, to accumulator: inout Tally) { accumulator.count += 1 }
    func result(_ accumulator: Tally) -> Int { accumulator.count }
    func merge(_ first: Tally, _ second: Tally) -> Tally { Tally(count: first.count + second.count) }
}

/// Keeps a value state whose descriptor has no codec.
final class OpaqueStateFunction: KeyedProcessFunction {
    private var last: (any ValueState<OpaqueEvent>)!

    func open(_ context: RuntimeContext<String>) throws {
        last = try context.state(ValueStateDescriptor<OpaqueEvent>("last", codec: nil))
    }

    func processElement(_ event: Event, context: KeyedProcessContext<String, Int>, out: Collector<Int>) {
        last.update(OpaqueEvent(key: event.key, value: event.value))
    }
}

/// Keyed by a key that is not `Codable`.
final class OpaqueKeyFunction: KeyedProcessFunction {
    func processElement(_ event: Event, context: KeyedProcessContext<OpaqueKey, Int>, out: Collector<Int>) {}
}

final class CheckpointCodecTests: XCTestCase {
    /// Builds the keyed stage of the job `pipeline` describes, with and without checkpointing:
    /// without, it must build; with, it must fail with `expected` as the error's text.
    private func assertCheckpointingRefuses<Input>(
        _: Input.Type, _ expected: String, file: StaticString = #filePath, line: UInt = #line,
        _ pipeline: (StreamEnvironment) -> Void
    ) throws {
        let env = environment()
        pipeline(env)
        let exchange = try env.exchangeNodeID
        XCTAssertNoThrow(try TaskUnderTest<Input>(env, after: exchange, checkpointing: false), file: file, line: line)
        XCTAssertThrowsError(try TaskUnderTest<Input>(env, after: exchange, checkpointing: true), file: file, line: line) { error in
            guard case JobError.invalidPlan = error else { return XCTFail("\(error) is no plan error", file: file, line: line) }
            XCTAssertEqual("\(error)", expected, file: file, line: line)
        }
    }

    func testWindowKeysWithoutCodec() throws {
        try assertCheckpointingRefuses(
            Event.self,
            "invalid job plan: operator 'window(tumbling 100 ms).aggregate(CountAggregate<Event>)' checkpoints windows by keys of type OpaqueKey, which have no codec: make OpaqueKey Codable"
        ) { env in
            _ = env.fromCollection([Event]()).keyBy { OpaqueKey(id: $0.value) }
                .window(TumblingEventTimeWindows.of(.milliseconds(100))).aggregate(CountAggregate<Event>()).collect()
        }
    }

    func testAggregateAccumulatorWithoutCodec() throws {
        try assertCheckpointingRefuses(
            Event.self,
            "invalid job plan: operator 'window(tumbling 100 ms).aggregate(OpaqueCount)' checkpoints window accumulators of type Tally, which have no codec: make Tally Codable"
        ) { env in
            _ = env.fromCollection([Event]()).keyBy { $0.key }
                .window(TumblingEventTimeWindows.of(.milliseconds(100))).aggregate(OpaqueCount()).collect()
        }
    }

    func testProcessAndReduceWindowsOfElementsWithoutCodec() throws {
        try assertCheckpointingRefuses(
            OpaqueEvent.self,
            "invalid job plan: operator 'window(session gap 30 ms).process' checkpoints window accumulators of type Array<OpaqueEvent>, which have no codec: make OpaqueEvent Codable"
        ) { env in
            _ = env.fromCollection([OpaqueEvent]()).keyBy { $0.key }
                .window(EventTimeSessionWindows.withGap(.milliseconds(30))).process { _, _, elements, _ in elements.count }.collect()
        }
        try assertCheckpointingRefuses(
            OpaqueEvent.self,
            "invalid job plan: operator 'window(sliding 100 ms every 50 ms).reduce' checkpoints window accumulators of type Optional<OpaqueEvent>, which have no codec: make OpaqueEvent Codable"
        ) { env in
            _ = env.fromCollection([OpaqueEvent]()).keyBy { $0.key }
                .window(SlidingEventTimeWindows.of(size: .milliseconds(100), slide: .milliseconds(50))).reduce { first, _ in first }.collect()
        }
    }

    func testProcessFunctionStateWithoutCodec() throws {
        try assertCheckpointingRefuses(
            Event.self,
            "invalid job plan: operator 'process(OpaqueStateFunction)' checkpoints its state, but state 'last' holds OpaqueEvent, which has no codec: make OpaqueEvent Codable or give the state's descriptor a codec"
        ) { env in
            _ = env.fromCollection([Event]()).keyBy { $0.key }.process(OpaqueStateFunction()).collect()
        }
    }

    func testProcessFunctionKeysWithoutCodec() throws {
        try assertCheckpointingRefuses(
            Event.self,
            "invalid job plan: operator 'process(OpaqueKeyFunction)' checkpoints state by keys of type OpaqueKey, which have no codec: make OpaqueKey Codable"
        ) { env in
            _ = env.fromCollection([Event]()).keyBy { OpaqueKey(id: $0.value) }.process(OpaqueKeyFunction()).collect()
        }
    }

    /// `String` keys travel as their UTF-8 bytes in state as in repartition topics; other
    /// `Codable` keys as JSON.
    func testStringKeysAreCheckpointedAsUTF8() throws {
        let strings = environment()
        strings.fromCollection([Event]()).keyBy { $0.key }.process(TimerOnlyFunction()).collect()
        let stringTask = try TaskUnderTest<Event>(strings, after: try strings.exchangeNodeID, checkpointing: true)
        try stringTask.run(Round(now: 0, elements: [(Event(key: "ключ", value: 0, timestamp: 0), 0)], watermark: nil))
        XCTAssertEqual(try stringTask.checkpoint(changesOnly: false).allEntries.map(\.key), [Array("ключ".utf8)])

        let numbers = environment()
        numbers.fromCollection([Event]()).keyBy { $0.value }.window(TumblingEventTimeWindows.of(.milliseconds(100)))
            .aggregate(CountAggregate<Event>()).collect()
        let numberTask = try TaskUnderTest<Event>(numbers, after: try numbers.exchangeNodeID, checkpointing: true)
        try numberTask.run(Round(now: 0, elements: [(Event(key: "a", value: 42, timestamp: 0), 0)], watermark: nil))
        XCTAssertEqual(try numberTask.checkpoint(changesOnly: false).allEntries.map(\.key), [Array("42".utf8)])
    }
}
