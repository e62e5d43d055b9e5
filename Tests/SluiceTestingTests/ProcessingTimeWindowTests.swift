import XCTest
import Sluice
import SluiceTesting

/// Tumbling processing-time windows: elements go to the window of the processing-time clock
/// when they arrive, whatever their timestamps, and a window fires once the clock reaches its end.
final class ProcessingTimeWindowTests: XCTestCase {
    private struct Piped {
        var key: String
        var amount: Int
        var arrival: Int64
    }

    func testWindowsFollowTheProcessingTimeClockNotEventTimeOrWatermarks() throws {
        let driver = TestDriver(jobName: "clock-windows", processingTime: 3_000) { env, topics in
            env.fromSource(try topics.source(topics: ["in"]), keyDeserializer: UTF8StringCodec(), valueDeserializer: JSONCodec<Int>())
                .keyBy(\.key)
                .window(TumblingProcessingTimeWindows.of(seconds: 10))
                .aggregate(Sum(\.value)) { key, window, sum in "\(key) \(window.start)-\(window.end) \(sum)" }
                .sink(to: topics.sink(topic: "out"), serializer: UTF8StringCodec())
        }
        defer { _ = try? driver.close() }
        let input = try driver.input("in", partitions: 2, serializer: JSONCodec<Int>())
        let out = driver.output("out", deserializer: UTF8StringCodec())
        let plan = try driver.plan.description
        XCTAssertTrue(plan.contains("processing-time tumbling 10000 ms"), plan)

        var random = SplitMix(state: 5)
        var piped: [Piped] = []
        var fired = Set<Int64>()
        /// Windows whose end the clock reached and that have not fired yet, as their results.
        func due(at now: Int64) -> [String] {
            let starts = Set(piped.map { $0.arrival / 10_000 * 10_000 }).filter { $0 + 10_000 <= now && !fired.contains($0) }
            var results: [String] = []
            for start in starts {
                fired.insert(start)
                var sums: [String: Int] = [:]
                for entry in piped where entry.arrival / 10_000 * 10_000 == start { sums[entry.key, default: 0] += entry.amount }
                results += sums.map { "\($0.key) \(start)-\(start + 10_000) \($0.value)" }
            }
            return results.sorted()
        }

        for index in 0..<60 {
            let key = "k\(random.next() % 4)", amount = Int(random.next() % 100) - 20
            // Event timestamps far in the future and falling: processing-time windows ignore them.
            try input.pipe(value: amount, key: key, timestamp: 9_000_000_000 - Int64(index) * 1_000)
            piped.append(Piped(key: key, amount: amount, arrival: driver.processingTime))
            XCTAssertEqual(try out.readValues(), [], "a pipe alone fires nothing: the clock did not move")
            if index % 7 == 3 {
                try driver.advanceWatermark(to: 9_000_000_000)
                XCTAssertEqual(try out.readValues(), [], "the watermark fires no processing-time window")
            }
            try driver.advanceProcessingTime(by: .milliseconds(Int64(random.next() % 2_500)))
            XCTAssertEqual(try out.readValues().sorted(), due(at: driver.processingTime), "at \(driver.processingTime) ms")
        }
        let now = driver.processingTime
        try driver.advanceProcessingTime(by: .milliseconds(10_000 - now % 10_000))
        XCTAssertEqual(try out.readValues().sorted(), due(at: driver.processingTime), "the last window fires at its end")
        XCTAssertEqual(fired.count, Set(piped.map { $0.arrival / 10_000 }).count)
        XCTAssertGreaterThan(fired.count, 4, "the run spans several windows")
    }

    /// A window fires exactly when the clock reaches its end, not a millisecond before; an
    /// element arriving at the end goes to the next window.
    func testAWindowFiresWhenTheClockReachesItsEnd() throws {
        let driver = TestDriver(jobName: "edges", processingTime: 0) { env, topics in
            env.fromSource(try topics.source(topics: ["in"]), deserializer: UTF8StringCodec())
                .keyBy(\.self)
                .window(TumblingProcessingTimeWindows.of(seconds: 5))
                .aggregate(Count()) { key, window, count in "\(key) \(window.start) \(count)" }
                .sink(to: topics.sink(topic: "out"), serializer: UTF8StringCodec())
        }
        defer { _ = try? driver.close() }
        let input = try driver.input("in", serializer: UTF8StringCodec())
        let out = driver.output("out", deserializer: UTF8StringCodec())
        try input.pipe(values: ["a", "a", "b"])
        try driver.advanceProcessingTime(by: .milliseconds(4_999))
        try input.pipe(values: ["a"])
        XCTAssertEqual(try out.readValues(), [])
        try driver.advanceProcessingTime(by: .milliseconds(1))
        XCTAssertEqual(try out.readValues().sorted(), ["a 0 3", "b 0 1"])
        try input.pipe(values: ["b"])
        try driver.advanceProcessingTime(by: .seconds(5))
        XCTAssertEqual(try out.readValues(), ["b 5000 1"])
        try driver.advanceProcessingTime(by: .seconds(20))
        XCTAssertEqual(try out.readValues(), [], "empty windows never fire")
    }
}
