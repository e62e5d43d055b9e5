import XCTest
@testable import Sluice

final class CheckpointCodecTests: XCTestCase {
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
