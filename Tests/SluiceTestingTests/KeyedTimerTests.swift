import XCTest
import Sluice
import SluiceTesting

/// On each element: a processing-time timer 5 s after the current processing time and an
/// event-time timer 1 s after the element; reports elements and firings with the time each saw.
final class ReminderFunction: KeyedProcessFunction {
    func processElement(_ value: String, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        let timers = context.timerService
        timers.registerProcessingTimeTimer(timers.currentProcessingTime + 5_000)
        timers.registerEventTimeTimer(context.timestamp + 1_000)
        out.collect("element \(context.currentKey) \(value) pt=\(timers.currentProcessingTime)")
    }

    func onTimer(_ timestamp: Int64, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        let domain = context.timeDomain == .eventTime ? "event" : "processing"
        let timers = context.timerService
        out.collect("\(domain) \(context.currentKey) \(timestamp) pt=\(timers.currentProcessingTime) wm=\(timers.currentWatermark)")
    }
}

/// A timer-driven ``KeyedProcessFunction`` behind a keyBy: processing-time timers fire when
/// the test moves the clock, event-time timers when records or declarations move the watermark.
final class KeyedTimerTests: XCTestCase {
    func testTimersOfBothDomainsFireExactlyWhenTheTestMovesTime() throws {
        let driver = TestDriver(jobName: "reminders", processingTime: 100_000) { env, topics in
            env.fromSource(try topics.source(topics: ["events"]), deserializer: UTF8StringCodec())
                .keyBy { String($0.prefix(1)) }
                .process(ReminderFunction())
                .sink(to: topics.sink(topic: "out"), serializer: UTF8StringCodec())
        }
        defer { _ = try? driver.close() }
        let events = try driver.input("events", serializer: UTF8StringCodec())
        let out = driver.output("out", deserializer: UTF8StringCodec())

        try events.pipe(value: "a1", timestamp: 1_000)
        XCTAssertEqual(try out.readValues(), ["element a a1 pt=100000"])
        try driver.advanceProcessingTime(by: .seconds(3))
        XCTAssertEqual(try out.readValues(), [], "a's processing timer is due at 105000, the clock is at 103000")
        try events.pipe(value: "b1", timestamp: 1_500)
        XCTAssertEqual(try out.readValues(), ["element b b1 pt=103000"])
        XCTAssertEqual(driver.processingTime, 103_000)

        try driver.advanceProcessingTime(by: .seconds(2))
        // Monotonous timestamps: the watermark after b1 (1500) is 1499; a's event timer (2000) waits.
        XCTAssertEqual(try out.readValues(), ["processing a 105000 pt=105000 wm=1499"])

        try driver.advanceWatermark(to: 2_000)
        XCTAssertEqual(try out.readValues(), ["event a 2000 pt=105000 wm=2000"])

        try driver.advanceProcessingTime(by: .seconds(10))
        XCTAssertEqual(try out.readValues(), ["processing b 108000 pt=115000 wm=2000"])

        // A record moves the watermark to 4999 after itself: its element comes first, then b's
        // event timer (2500); its own timers (6000 and 120000) wait.
        try events.pipe(value: "c1", timestamp: 5_000)
        XCTAssertEqual(try out.readValues(), ["element c c1 pt=115000", "event b 2500 pt=115000 wm=4999"])

        try events.advanceWatermark(to: 6_000)
        XCTAssertEqual(try out.readValues(), ["event c 6000 pt=115000 wm=6000"])
        try driver.advanceProcessingTime(by: .seconds(5))
        XCTAssertEqual(try out.readValues(), ["processing c 120000 pt=120000 wm=6000"])
        try driver.advanceProcessingTime(by: .seconds(60))
        XCTAssertEqual(try out.readValues(), [], "every timer has fired once")

        let metrics = try XCTUnwrap(try driver.close())
        XCTAssertEqual(metrics.recordsRead, 3)
    }
}
