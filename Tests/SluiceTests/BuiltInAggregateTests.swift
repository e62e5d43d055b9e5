import XCTest
@testable import Sluice

/// `Count`, `Sum`, `Min` and `Max` in windows, checked against totals computed without the
/// engine, and call by call.
final class BuiltInAggregateTests: XCTestCase {
    struct Reading: Sendable, Codable {
        var sensor: String
        var amount: Int
        var temperature: Double
    }

    struct WindowKey: Hashable {
        var sensor: String
        var start: Int64
    }

    /// 300 readings of 5 sensors over a minute, in time order (so none is late), in 3 partitions.
    private func readings() -> [(Reading, Int64)] {
        var random = SplitMix(state: 2024)
        return (0..<300).map { _ in
            let reading = Reading(
                sensor: "s\(random.next() % 5)", amount: Int(random.next() % 1_000) - 300,
                temperature: Double(Int(random.next() % 4_000) - 1_000) / 100)
            return (reading, Int64(random.next() % 60_000))
        }.sorted { $0.1 < $1.1 }
    }

    /// Runs `aggregate` over 10 s tumbling windows per sensor; results by sensor and window.
    private func run<Function: AggregateFunction>(_ aggregate: Function) throws -> [WindowKey: Function.Output]
    where Function.Input == Reading, Function.Output: Sendable {
        let env = StreamEnvironment(jobName: "aggregates")
        let results = env.fromCollection(timestamped: readings(), partitions: 3)
            .keyBy(\.sensor)
            .window(TumblingEventTimeWindows.of(seconds: 10))
            .aggregate(aggregate) { sensor, window, result in (WindowKey(sensor: sensor, start: window.start), result) }
            .collect()
        try env.execute()
        var byWindow: [WindowKey: Function.Output] = [:]
        for (key, result) in results.elements {
            XCTAssertNil(byWindow[key], "one result per sensor and window: \(key)")
            byWindow[key] = result
        }
        return byWindow
    }

    /// The readings of each sensor and window, grouped without the engine.
    private func grouped() -> [WindowKey: [Reading]] {
        Dictionary(grouping: readings(), by: { WindowKey(sensor: $0.0.sensor, start: $0.1 / 10_000 * 10_000) })
            .mapValues { $0.map(\.0) }
    }

    func testCountCountsEachWindowsElements() throws {
        let expected = grouped().mapValues(\.count)
        XCTAssertEqual(expected.count, 30, "5 sensors × 6 windows")
        XCTAssertEqual(try run(Count()), expected)
    }

    func testSumByKeyPathAndByClosure() throws {
        XCTAssertEqual(try run(Sum(\.amount)), grouped().mapValues { $0.reduce(0) { $0 + $1.amount } })
        XCTAssertEqual(try run(Sum { $0.amount * 2 + 1 }), grouped().mapValues { $0.reduce(0) { $0 + $1.amount * 2 + 1 } })
    }

    func testMinAndMaxByKeyPathAndByClosure() throws {
        XCTAssertEqual(try run(Min(\.temperature)), grouped().mapValues { $0.map(\.temperature).min()! })
        XCTAssertEqual(try run(Max(\.temperature)), grouped().mapValues { $0.map(\.temperature).max()! })
        XCTAssertEqual(try run(Min { abs($0.amount) }), grouped().mapValues { $0.map { abs($0.amount) }.min()! })
        XCTAssertEqual(try run(Max { $0.sensor + String($0.amount) }), grouped().mapValues { $0.map { $0.sensor + String($0.amount) }.max()! })
    }

    /// Over the elements themselves, with `aggregate` alone (no window function).
    func testAggregatesOverTheElementsThemselves() throws {
        let numbers: [(Int, Int64)] = [(5, 100), (-3, 200), (12, 300), (7, 10_100), (7, 10_200)]
        func run<Function: AggregateFunction>(_ aggregate: Function) throws -> [Function.Output]
        where Function.Input == Int, Function.Output: Sendable {
            let env = StreamEnvironment(jobName: "numbers")
            let results = env.fromCollection(timestamped: numbers).keyBy { _ in 0 }
                .window(TumblingEventTimeWindows.of(seconds: 10)).aggregate(aggregate).collect()
            try env.execute()
            return results.elements
        }
        XCTAssertEqual(try run(Sum()), [14, 14])
        XCTAssertEqual(try run(Min()), [-3, 7])
        XCTAssertEqual(try run(Max()), [12, 7])
        XCTAssertEqual(try run(Count()), [3, 2])
    }

    /// Merging (session windows) and the empty case, call by call.
    func testMergeAndEmpty() throws {
        XCTAssertEqual(Count<String>().merge(3, 4), 7)
        XCTAssertEqual(Sum<Int, Int>().merge(-2, 9), 7)
        XCTAssertEqual(Min<Int, Int>().merge(nil, 4), 4)
        XCTAssertEqual(Min<Int, Int>().merge(5, 4), 4)
        XCTAssertEqual(Max<Int, Int>().merge(5, nil), 5)
        XCTAssertEqual(Max<Int, Int>().merge(5, 9), 9)
        XCTAssertThrowsError(try Min<Int, Int>().result(nil)) { error in
            XCTAssertEqual(error as? AggregateError, .noElements(aggregate: "Min"))
        }
        XCTAssertThrowsError(try Max<Int, Int>().result(Max<Int, Int>().createAccumulator()))
    }

    /// Session windows merge accumulators; sums and extremes still match the model.
    func testSessionWindowsMergeAccumulators() throws {
        // 0 and 900 open two sessions (gap 600 ms) that 400 bridges into one, [0, 1500); 5000 is its own.
        let values: [(Int, Int64)] = [(4, 0), (10, 900), (-1, 400), (6, 5_000)]
        let env = StreamEnvironment(jobName: "sessions")
        let sums = env.fromCollection(timestamped: values).keyBy { _ in "k" }
            .window(EventTimeSessionWindows.withGap(.milliseconds(600)))
            .aggregate(Sum()) { _, window, sum in "\(window.start)-\(window.end):\(sum)" }.collect()
        try env.execute()
        XCTAssertEqual(sums.elements.sorted(), ["0-1500:13", "5000-5600:6"])
    }
}
