import XCTest
@testable import Sluice

/// Registers an event-time timer 100 ms after each element and reports firings.
final class EventTimerFunction: KeyedProcessFunction {
    func processElement(_ value: Event, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        context.timerService.registerEventTimeTimer(value.timestamp + 100)
    }

    func onTimer(_ timestamp: Int64, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        XCTAssertEqual(context.timeDomain, .eventTime)
        XCTAssertGreaterThanOrEqual(context.timerService.currentWatermark, timestamp)
        out.collect("\(timestamp) \(context.currentKey)")
    }
}

/// Registers a processing-time timer 2.5 s after the current processing time.
final class ProcessingTimerFunction: KeyedProcessFunction {
    func processElement(_ value: String, context: KeyedProcessContext<String, Int64>, out: Collector<Int64>) {
        context.timerService.registerProcessingTimeTimer(context.timerService.currentProcessingTime + 2_500)
    }

    func onTimer(_ timestamp: Int64, context: KeyedProcessContext<String, Int64>, out: Collector<Int64>) {
        XCTAssertEqual(context.timeDomain, .processingTime)
        XCTAssertGreaterThanOrEqual(context.timerService.currentProcessingTime, timestamp)
        out.collect(timestamp)
    }
}

final class TimerTests: XCTestCase {
    func testEventTimeTimersFireInTimestampOrderAndAtEndOfInput() throws {
        let events = randomEvents(count: 500, keys: 5, maxTimestamp: 10_000, seed: 3)
        let env = environment(parallelism: 1)
        let results = env.fromCollection(events, partitions: 2)
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.forBoundedOutOfOrderness(.seconds(1)).withTimestampAssigner { event, _ in event.timestamp })
            .keyBy { $0.key }
            .process(EventTimerFunction())
            .collect()
        try env.execute()
        let fired = results.elements.map { Int64($0.split(separator: " ")[0])! }
        XCTAssertEqual(fired, fired.sorted(), "timers fire in timestamp order")
        // One timer per distinct (key, timestamp + 100): registering twice does nothing.
        let expected = Set(events.map { "\($0.timestamp + 100) \($0.key)" })
        XCTAssertEqual(results.elements.count, expected.count)
        XCTAssertEqual(Set(results.elements), expected)
    }

    func testProcessingTimeTimersFireWhenTheClockPassesThem() throws {
        let clock = SteppingClock(start: 10_000, step: 1_000)
        let source = ScriptedSource(bounded: false, polls: ScriptedSource.records([
            [(0, 0, "a")], [(0, 0, "b")], [], [(0, 0, "a")], [], [], [], [], [],
        ]))
        let env = environment(clock: clock)
        let results = env.fromSource(source, deserializer: UTF8StringCodec())
            .keyBy { $0 }
            .process(ProcessingTimerFunction())
            .collect()
        let job = try env.build()
        source.stopWhenExhausted = job.stopSignal
        try job.run()
        // Round r reads processing time 10_000 + 1_000 r; elements in rounds 0, 1, 3.
        let expected: [Int64] = [0, 1, 3].map { 10_000 + 1_000 * $0 + 2_500 }
        XCTAssertEqual(results.elements, expected)
    }
}
