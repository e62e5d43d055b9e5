import XCTest
@testable import Sluice

/// A processing-time window restored from a checkpoint fires when the clock reaches its end,
/// with what was in it at the checkpoint.
final class ProcessingTimeWindowCheckpointTests: XCTestCase {
    private func windowTask() throws -> (TaskUnderTest<Event>, SinkCursor<String>) {
        let env = environment()
        let results = SinkCursor(
            env.fromCollection([Event]()).keyBy { $0.key }
                .window(TumblingProcessingTimeWindows.of(seconds: 1))
                .aggregate(Sum(\.value)) { key, window, sum in "\(key) \(window.start) \(sum)" }
                .collect())
        return (try TaskUnderTest(env, after: try env.exchangeNodeID, checkpointing: true), results)
    }

    private func events(_ pairs: [(String, Int)]) -> [(value: Event, timestamp: Int64)] {
        // Event timestamps that would put every element in one event-time window.
        pairs.map { (Event(key: $0.0, value: $0.1, timestamp: 7), 7) }
    }

    func testRestoredWindowsFireOnTheClockWithTheirCheckpointedContents() throws {
        let (first, firstResults) = try windowTask()
        try first.run(Round(now: 100, elements: events([("a", 1), ("b", 10), ("a", 2)]), watermark: nil))
        try first.run(Round(now: 1_200, elements: events([("a", 5)]), watermark: 50_000))
        XCTAssertEqual(firstResults.take().sorted(), ["a 0 3", "b 0 10"], "the first window fired at 1200 ms")
        try first.run(Round(now: 1_900, elements: events([("b", 4)]), watermark: nil))
        let checkpoint = try first.checkpoint(changesOnly: false)
        // Lost with the failed task: an element after the checkpoint.
        try first.run(Round(now: 1_950, elements: events([("b", 100)]), watermark: nil))

        let (restored, restoredResults) = try windowTask()
        try restored.restore([checkpoint])
        try restored.run(Round(now: 1_999, elements: events([("c", 7)]), watermark: nil))
        XCTAssertEqual(restoredResults.take(), [], "not before the window's end")
        try restored.run(Round(now: 2_000, elements: [], watermark: nil))
        XCTAssertEqual(restoredResults.take().sorted(), ["a 1000 5", "b 1000 4", "c 1000 7"])
        try restored.run(Round(now: 9_000, elements: [], watermark: nil))
        XCTAssertEqual(restoredResults.take(), [], "each window fires once")
    }
}
