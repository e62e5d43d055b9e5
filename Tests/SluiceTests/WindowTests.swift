import XCTest
@testable import Sluice
import SluiceTesting

final class WindowTests: XCTestCase {
    private let events = randomEvents(count: 2_000, keys: 7, maxTimestamp: 60_000)

    private func keyedEvents(_ env: StreamEnvironment, outOfOrderness: Duration = .seconds(60)) -> KeyedStream<Event, String> {
        env.fromCollection(events, partitions: 3)
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.forBoundedOutOfOrderness(outOfOrderness).withTimestampAssigner { event, _ in event.timestamp })
            .keyBy { $0.key }
    }

    struct Result: Hashable, Comparable {
        var key: String
        var start: Int64
        var value: Int
        static func < (a: Result, b: Result) -> Bool { (a.key, a.start, a.value) < (b.key, b.start, b.value) }
    }

    func testTumblingAggregateCountsPerKeyAndWindow() throws {
        let env = environment(parallelism: 3)
        let results = keyedEvents(env)
            .window(TumblingEventTimeWindows.of(seconds: 5))
            .aggregate(CountAggregate<Event>()) { key, window, count in Result(key: key, start: window.start, value: count) }
            .collect()
        try env.execute()
        var expected: [Result: Int] = [:]
        for event in events {
            expected[Result(key: event.key, start: event.timestamp / 5_000 * 5_000, value: 0), default: 0] += 1
        }
        XCTAssertEqual(results.elements.sorted(), expected.map { Result(key: $0.key.key, start: $0.key.start, value: $0.value) }.sorted())
    }

    func testTumblingReduceSumsValues() throws {
        let env = environment(parallelism: 2)
        let results = keyedEvents(env)
            .window(TumblingEventTimeWindows.of(seconds: 10))
            .reduce { Event(key: $0.key, value: $0.value + $1.value, timestamp: min($0.timestamp, $1.timestamp)) }
            .collect()
        try env.execute()
        var expected: [String: Int] = [:]
        for event in events { expected["\(event.key)/\(event.timestamp / 10_000)", default: 0] += event.value }
        let actual = Dictionary(uniqueKeysWithValues: results.elements.map { ("\($0.key)/\($0.timestamp / 10_000)", $0.value) })
        XCTAssertEqual(actual, expected)
    }

    func testSlidingWindowsAssignEachElementToEveryOverlappingWindow() throws {
        let env = environment(parallelism: 2)
        let results = keyedEvents(env)
            .window(SlidingEventTimeWindows.of(size: .seconds(10), slide: .seconds(5)))
            .aggregate(CountAggregate<Event>()) { key, window, count in Result(key: key, start: window.start, value: count) }
            .collect()
        try env.execute()
        var expected: [Result] = []
        let keys = Set(events.map(\.key))
        for key in keys {
            for start in stride(from: Int64(-5_000), to: 60_000, by: 5_000) {
                let count = events.filter { $0.key == key && $0.timestamp >= start && $0.timestamp < start + 10_000 }.count
                if count > 0 { expected.append(Result(key: key, start: start, value: count)) }
            }
        }
        XCTAssertEqual(results.elements.sorted(), expected.sorted())
    }

    func testSessionWindowsMergeWhenAnElementBridgesTwoSessions() throws {
        let timestamps: [Int64] = [1_000, 10_000, 6_000, 3_500, 30_000, 31_000, 20_000]
        let input = timestamps.map { Event(key: "a", value: 1, timestamp: $0) }
            + [Event(key: "b", value: 1, timestamp: 2_000)]
        let env = environment()
        let results = env.fromCollection(input)
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.forBoundedOutOfOrderness(.seconds(60)).withTimestampAssigner { event, _ in event.timestamp })
            .keyBy { $0.key }
            .window(EventTimeSessionWindows.withGap(.seconds(3)))
            .process { key, context, elements, _ in
                "\(key) \(context.window.start)-\(context.window.end) n=\(elements.count)"
            }
            .collect()
        try env.execute()
        // Sessions computed directly: sort, and start a new session when an element begins
        // after the current session's end (touching windows merge).
        var expected: [String] = []
        for key in ["a", "b"] {
            let sorted = input.filter { $0.key == key }.map(\.timestamp).sorted()
            var start = sorted[0], end = sorted[0] + 3_000, count = 0
            for timestamp in sorted {
                if timestamp > end {
                    expected.append("\(key) \(start)-\(end) n=\(count)")
                    start = timestamp
                    count = 0
                }
                end = max(end, timestamp + 3_000)
                count += 1
            }
            expected.append("\(key) \(start)-\(end) n=\(count)")
        }
        XCTAssertEqual(results.elements.sorted(), expected.sorted())
        XCTAssertTrue(expected.contains("a 1000-9000 n=3"), "the bridging element merged two sessions")
    }

    func testAllowedLatenessRefiresAndLateSideOutputCatchesTheRest() throws {
        let lateTag = OutputTag<String>("late")
        let driver = TestDriver(jobName: "test") { env, topics in
            let windows = env.fromSource(try topics.source(topics: ["events"]), deserializer: UTF8StringCodec())
                .keyBy { _ in "all" }
                .window(TumblingEventTimeWindows.of(seconds: 5))
                .allowedLateness(.seconds(2))
                .sideOutputLateData(lateTag)
                .process { _, context, elements, _ in "\(context.window.start): \(elements.sorted().joined(separator: ","))" }
            windows.sink(to: topics.sink(topic: "windows"), serializer: UTF8StringCodec())
            windows.sideOutput(lateTag).sink(to: topics.sink(topic: "late"), serializer: UTF8StringCodec())
        }
        defer { _ = try? driver.close() }
        let events = try driver.input("events", serializer: UTF8StringCodec())
        let results = driver.output("windows", deserializer: UTF8StringCodec())
        let late = driver.output("late", deserializer: UTF8StringCodec())
        // One record per pipe, so the watermark (monotonous: highest timestamp - 1) moves
        // between records. [0,5000) fires at 5999 with "on-time", fires again for "late-ok"
        // (5999 < 4999 + 2000), is cleaned at 7999, so "too-late" is late.
        try events.pipe(value: "on-time", timestamp: 1_000)
        XCTAssertEqual(try results.readValues(), [])
        try events.pipe(value: "next", timestamp: 6_000)
        XCTAssertEqual(try results.readValues(), ["0: on-time"])
        try events.pipe(value: "late-ok", timestamp: 2_000)
        XCTAssertEqual(try results.readValues(), ["0: late-ok,on-time"])
        try events.pipe(value: "later", timestamp: 8_000)
        try events.pipe(value: "too-late", timestamp: 3_000)
        XCTAssertEqual(try results.readValues(), [])
        XCTAssertEqual(try late.readValues(), ["too-late"])
        try driver.endInputs()
        XCTAssertEqual(try results.readValues(), ["5000: later,next"])
        XCTAssertEqual(try late.readValues(), [])
    }
}
