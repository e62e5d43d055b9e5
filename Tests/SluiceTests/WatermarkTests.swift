import XCTest
@testable import Sluice
import SluiceTesting

final class WatermarkTests: XCTestCase {
    /// 5 s tumbling windows over every value, with late values on a side output; each pipe is
    /// one batch, so the watermark moves after it.
    private func windowDriver(partitions: Int = 1, strategy: WatermarkStrategy<String>)
        throws -> (driver: TestDriver, input: TestInputTopic<String>, windows: TestOutputTopic<String>, late: TestOutputTopic<String>) {
        let lateTag = OutputTag<String>("late")
        var configuration = JobConfiguration()
        configuration.parallelism = 1
        let driver = TestDriver(jobName: "test", configuration: configuration) { env, topics in
            let windows = env.fromSource(try topics.source(topics: ["events"]), deserializer: UTF8StringCodec(), watermarks: strategy)
                .keyBy { _ in "all" }
                .window(TumblingEventTimeWindows.of(seconds: 5))
                .sideOutputLateData(lateTag)
                .process { _, context, elements, _ in "\(context.window.start): \(elements.sorted().joined(separator: ","))" }
            windows.sink(to: topics.sink(topic: "windows"), serializer: UTF8StringCodec())
            windows.sideOutput(lateTag).sink(to: topics.sink(topic: "late"), serializer: UTF8StringCodec())
        }
        let input = try driver.input("events", partitions: partitions, serializer: UTF8StringCodec())
        return (driver, input, driver.output("windows", deserializer: UTF8StringCodec()), driver.output("late", deserializer: UTF8StringCodec()))
    }

    private let outOfOrder: [(timestamp: Int64, value: String)] = [(1_000, "a"), (6_000, "b"), (4_000, "c"), (9_000, "d"), (3_000, "e")]

    func testBoundedOutOfOrdernessAdmitsRecordsWithinTheBound() throws {
        // With 2 s: after "b" the watermark is 3999, so "c" (4000) still counts; after "d" it is
        // 6999 and [0, 5000) has fired, so "e" (3000) is late.
        let job = try windowDriver(strategy: .forBoundedOutOfOrderness(.seconds(2)))
        defer { _ = try? job.driver.close() }
        for record in outOfOrder { try job.input.pipe(value: record.value, timestamp: record.timestamp) }
        XCTAssertEqual(try job.windows.readValues(), ["0: a,c"])
        try job.driver.endInputs()
        XCTAssertEqual(try job.windows.readValues(), ["5000: b,d"], "the end of input fires the last window")
        XCTAssertEqual(try job.late.readValues(), ["e"])
    }

    func testMonotonousWatermarkMakesOutOfOrderRecordsLate() throws {
        let job = try windowDriver(strategy: .forMonotonousTimestamps())
        defer { _ = try? job.driver.close() }
        var windows: [String] = []
        var late: [String] = []
        for record in outOfOrder.prefix(2) { try job.input.pipe(value: record.value, timestamp: record.timestamp) }
        // After "b" (6000) the watermark is 5999: [0, 5000) has fired with "a" alone.
        XCTAssertEqual(try job.windows.readValues(), ["0: a"])
        windows.append("0: a")
        for record in outOfOrder.dropFirst(2) { try job.input.pipe(value: record.value, timestamp: record.timestamp) }
        try job.driver.endInputs()
        windows += try job.windows.readValues()
        late += try job.late.readValues()
        XCTAssertEqual(windows, ["0: a", "5000: b,d"])
        XCTAssertEqual(late, ["c", "e"])
    }

    func testCombinedWatermarkIsTheMinimumOverPartitions() throws {
        // Partition 0 races ahead to 12 s; partition 1 is still at 4 s, which must not be late.
        let job = try windowDriver(partitions: 2, strategy: .forMonotonousTimestamps())
        defer { _ = try? job.driver.close() }
        try job.input.pipe([
            TestRecord(value: "a", key: nil as String?, timestamp: 1_000, partition: 0),
            TestRecord(value: "b", key: nil as String?, timestamp: 2_000, partition: 1),
        ])
        try job.input.pipe(value: "c", timestamp: 12_000, partition: 0)
        XCTAssertEqual(try job.windows.readValues(), [], "partition 1 holds the watermark at 1999")
        try job.input.pipe(value: "d", timestamp: 4_000, partition: 1)
        XCTAssertEqual(try job.windows.readValues(), [], "partition 1 is at 3999")
        try job.driver.endInputs()
        XCTAssertEqual(try job.windows.readValues(), ["0: a,b,d", "10000: c"])
        XCTAssertEqual(try job.late.readValues(), [])
    }

    func testIdlePartitionStopsHoldingBackTheWatermark() throws {
        // Partition 1 speaks once at processing time 0, then stays silent while partition 0
        // moves on; the inputs never end, so only windows the watermark itself fired are emitted.
        for idleness in [true, false] {
            let strategy = WatermarkStrategy<String>.forMonotonousTimestamps()
            let job = try windowDriver(partitions: 2, strategy: idleness ? strategy.withIdleness(.seconds(2)) : strategy)
            defer { _ = try? job.driver.close() }
            try job.input.pipe([
                TestRecord(value: "a", key: nil as String?, timestamp: 1_000, partition: 0),
                TestRecord(value: "b", key: nil as String?, timestamp: 2_000, partition: 1),
            ])
            try job.driver.advanceProcessingTime(by: .seconds(1))
            try job.input.pipe(value: "c", timestamp: 6_000, partition: 0)
            XCTAssertEqual(try job.windows.readValues(), [], "partition 1 has been silent for only 1 s")
            try job.driver.advanceProcessingTime(by: .seconds(1))
            if idleness {
                // Silent for 2 s: partition 0's watermark (5999) alone counts, and [0, 5000) fires.
                XCTAssertEqual(try job.windows.readValues(), ["0: a,b"])
            }
            for (second, timestamp) in [(3, Int64(7_000)), (4, 8_000)] {
                try job.input.pipe(value: "x\(second)", timestamp: timestamp, partition: 0)
                try job.driver.advanceProcessingTime(by: .seconds(1))
            }
            try job.driver.advanceProcessingTime(by: .seconds(2))
            XCTAssertEqual(try job.windows.readValues(), [],
                           idleness ? "[5000, 10000) waits for partition 0's watermark" : "without idleness the silent partition holds the watermark at 1999")
            XCTAssertEqual(try job.late.readValues(), [])
        }
    }

    /// A declared watermark stands for a record at watermark + out-of-orderness + 1, saturating.
    func testADeclaredWatermarkIsTheGeneratorsProgress() {
        var generator = WatermarkGenerator(outOfOrderness: 2_000, idleTimeout: nil)
        generator.advance(to: 10_000)
        XCTAssertEqual(generator.current(at: 0).watermark, 10_000)
        generator.observe(11_000)
        XCTAssertEqual(generator.current(at: 0).watermark, 10_000, "a record below the declaration does not move it back")
        generator.advance(to: 9_000)
        XCTAssertEqual(generator.current(at: 0).watermark, 10_000)
        generator.advance(to: .max - 5)
        XCTAssertEqual(generator.current(at: 0).watermark, .max - 2_001)
    }
}
