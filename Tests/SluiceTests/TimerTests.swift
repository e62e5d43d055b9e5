import XCTest
@testable import Sluice
import SluiceTesting

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
        let driver = TestDriver(jobName: "test", processingTime: 10_000) { env, topics in
            env.fromSource(try topics.source(topics: ["events"]), deserializer: UTF8StringCodec())
                .keyBy { $0 }
                .process(ProcessingTimerFunction())
                .sink(to: topics.sink(topic: "fired"), serializer: JSONCodec<Int64>())
        }
        defer { _ = try? driver.close() }
        let events = try driver.input("events", serializer: UTF8StringCodec())
        let fired = driver.output("fired", deserializer: JSONCodec<Int64>())
        // Each element asks for a timer 2.5 s after the processing time it arrives at.
        try events.pipe(value: "a")                                   // at 10 000: 12 500
        try driver.advanceProcessingTime(by: .seconds(1))
        try events.pipe(value: "b")                                   // at 11 000: 13 500
        XCTAssertEqual(try fired.readValues(), [])
        try driver.advanceProcessingTime(by: .seconds(2))             // 13 000
        XCTAssertEqual(try fired.readValues(), [12_500])
        try events.pipe(value: "a")                                   // at 13 000: 15 500
        try driver.advanceProcessingTime(by: .milliseconds(499))      // 13 499
        XCTAssertEqual(try fired.readValues(), [], "not yet due")
        try driver.advanceProcessingTime(by: .milliseconds(1))        // 13 500
        XCTAssertEqual(try fired.readValues(), [13_500])
        try driver.advanceProcessingTime(by: .seconds(5))             // 18 500
        XCTAssertEqual(try fired.readValues(), [15_500])
        try driver.advanceProcessingTime(by: .seconds(60))
        XCTAssertEqual(try fired.readValues(), [], "each timer fires once")
    }
}

/// Foundation has a `Timer` too.
private typealias KeyTimer = Sluice.Timer<String, TimerNamespace>

final class TimerQueueSnapshotTests: XCTestCase {
    /// A queue rebuilt from the pending timers and their sequence numbers fires exactly as the
    /// original, ties between keys included, also for timers registered after the restore.
    func testARestoredQueueFiresInTheOriginalOrder() {
        var random = SplitMix(state: 5)
        var original = TimerQueue<String, TimerNamespace>()
        for _ in 0..<2_000 {
            let timer = KeyTimer(timestamp: Int64(random.next() % 50), key: "k\(random.next() % 30)", namespace: TimerNamespace())
            if random.next() % 4 == 0 { original.delete(timer) } else { original.register(timer) }
        }
        var restored = TimerQueue<String, TimerNamespace>()
        var pending: [(KeyTimer, UInt64)] = []
        original.forEachPending { pending.append(($0, $1)) }
        for (timer, sequence) in pending.shuffled(using: &random) { restored.restore(timer, sequence: sequence) }
        XCTAssertEqual(restored.count, original.count)
        for timer in [KeyTimer(timestamp: 20, key: "new", namespace: TimerNamespace()), KeyTimer(timestamp: 7, key: "k1", namespace: TimerNamespace())] {
            XCTAssertEqual(original.register(timer), restored.register(timer))
        }
        var firedOriginal: [KeyTimer] = []
        var firedRestored: [KeyTimer] = []
        while let timer = original.popDue(atOrBefore: .max) { firedOriginal.append(timer) }
        while let timer = restored.popDue(atOrBefore: .max) { firedRestored.append(timer) }
        XCTAssertEqual(firedRestored, firedOriginal)
        XCTAssertEqual(firedOriginal.map(\.timestamp), firedOriginal.map(\.timestamp).sorted())
        XCTAssertGreaterThan(Set(firedOriginal.map(\.timestamp)).count, 40)
    }

    /// Ties fire in registration order; a timer deleted and registered again takes its place
    /// from the new registration, and registering a pending timer keeps its place.
    func testTiesFireInRegistrationOrder() {
        var queue = TimerQueue<String, TimerNamespace>()
        let a = KeyTimer(timestamp: 10, key: "a", namespace: TimerNamespace())
        let b = KeyTimer(timestamp: 10, key: "b", namespace: TimerNamespace())
        let c = KeyTimer(timestamp: 10, key: "c", namespace: TimerNamespace())
        XCTAssertTrue(queue.register(a))
        XCTAssertTrue(queue.register(b))
        XCTAssertTrue(queue.register(c))
        XCTAssertTrue(queue.delete(a))
        XCTAssertFalse(queue.delete(a))
        XCTAssertTrue(queue.register(a))
        XCTAssertFalse(queue.register(b))
        var fired: [String] = []
        while let timer = queue.popDue(atOrBefore: 10) { fired.append(timer.key) }
        XCTAssertEqual(fired, ["b", "c", "a"])
        XCTAssertTrue(queue.isEmpty)
    }
}
