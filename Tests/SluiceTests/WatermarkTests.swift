import XCTest
@testable import Sluice

final class WatermarkTests: XCTestCase {
    private func windowedValues(
        _ polls: [[(partition: Int32, timestamp: Int64, value: String)]], partitions: Int = 1, bounded: Bool = true,
        strategy: WatermarkStrategy<String>, clock: (any ProcessingTimeClock)? = nil
    ) throws -> (windows: [String], late: [String]) {
        let source = ScriptedSource(partitions: partitions, bounded: bounded, polls: ScriptedSource.records(polls))
        let env = environment(parallelism: 1, clock: clock)
        let lateTag = OutputTag<String>("late")
        let windows = env.fromSource(source, deserializer: UTF8StringCodec(), watermarks: strategy)
            .keyBy { _ in "all" }
            .window(TumblingEventTimeWindows.of(seconds: 5))
            .sideOutputLateData(lateTag)
            .process { _, context, elements, _ in "\(context.window.start): \(elements.sorted().joined(separator: ","))" }
        let results = windows.collect()
        let late = windows.sideOutput(lateTag).collect()
        let job = try env.build()
        source.stopWhenExhausted = job.stopSignal
        try job.run()
        return (results.elements, late.elements)
    }

    private let outOfOrder: [[(partition: Int32, timestamp: Int64, value: String)]] = [
        [(0, 1_000, "a")], [(0, 6_000, "b")], [(0, 4_000, "c")], [(0, 9_000, "d")], [(0, 3_000, "e")],
    ]

    func testBoundedOutOfOrdernessAdmitsRecordsWithinTheBound() throws {
        // With 2 s: after "b" the watermark is 3999, so "c" (4000) still counts; after "d" it is
        // 6999 and [0, 5000) has fired, so "e" (3000) is late.
        let result = try windowedValues(outOfOrder, strategy: .forBoundedOutOfOrderness(.seconds(2)))
        XCTAssertEqual(result.windows, ["0: a,c", "5000: b,d"])
        XCTAssertEqual(result.late, ["e"])
    }

    func testMonotonousWatermarkMakesOutOfOrderRecordsLate() throws {
        let result = try windowedValues(outOfOrder, strategy: .forMonotonousTimestamps())
        XCTAssertEqual(result.windows, ["0: a", "5000: b,d"])
        XCTAssertEqual(result.late, ["c", "e"])
    }

    func testCombinedWatermarkIsTheMinimumOverPartitions() throws {
        // Partition 0 races ahead to 12 s; partition 1 is still at 4 s, which must not be late.
        let polls: [[(partition: Int32, timestamp: Int64, value: String)]] = [
            [(0, 1_000, "a"), (1, 2_000, "b")], [(0, 12_000, "c")], [(1, 4_000, "d")],
        ]
        let result = try windowedValues(polls, partitions: 2, strategy: .forMonotonousTimestamps())
        XCTAssertEqual(result.windows, ["0: a,b,d", "10000: c"])
        XCTAssertEqual(result.late, [])
    }

    func testIdlePartitionStopsHoldingBackTheWatermark() throws {
        // Partition 1 speaks once, then stays silent while partition 0 moves on; the job is
        // stopped (not ended), so only windows the watermark itself fired are emitted.
        let polls: [[(partition: Int32, timestamp: Int64, value: String)]] = [
            [(0, 1_000, "a"), (1, 2_000, "b")], [(0, 6_000, "c")], [(0, 7_000, "d")], [(0, 8_000, "e")], [], [],
        ]
        let clock = SteppingClock(step: 1_000)
        let idle = try windowedValues(
            polls, partitions: 2, bounded: false, strategy: WatermarkStrategy.forMonotonousTimestamps().withIdleness(.seconds(2)),
            clock: clock)
        XCTAssertEqual(idle.windows, ["0: a,b"])
        let held = try windowedValues(
            polls, partitions: 2, bounded: false, strategy: .forMonotonousTimestamps(), clock: SteppingClock(step: 1_000))
        XCTAssertEqual(held.windows, [], "without idleness the silent partition holds the watermark at 1999")
    }
}
