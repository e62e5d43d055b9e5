import XCTest
@testable import Sluice

final class OperatorTests: XCTestCase {
    func testMapFilterFlatMap() throws {
        let input = Array(0..<1000)
        let env = environment(batchSize: 64)
        let results = env.fromCollection(input, partitions: 3)
            .map { $0 * 3 }
            .filter { $0 % 2 == 0 }
            .flatMap { [$0, -$0] }
            .collect()
        try env.execute()
        var expected: [Int] = []
        for value in input where (value * 3) % 2 == 0 {
            expected += [value * 3, -(value * 3)]
        }
        XCTAssertEqual(results.elements.sorted(), expected.sorted())
    }

    func testUnionMergesSources() throws {
        let env = environment()
        let letters = env.fromElements("a", "b")
        let more = env.fromCollection(["c", "d", "e"], partitions: 2)
        let results = letters.union(more).map { $0.uppercased() }.collect()
        try env.execute()
        XCTAssertEqual(results.elements.sorted(), ["A", "B", "C", "D", "E"])
    }

    func testFanOutFeedsEveryConsumer() throws {
        let env = environment()
        let numbers = env.fromCollection(Array(1...10))
        let evens = numbers.filter { $0 % 2 == 0 }.collect()
        let doubled = numbers.map { $0 * 2 }.collect()
        try env.execute()
        XCTAssertEqual(evens.elements.sorted(), [2, 4, 6, 8, 10])
        XCTAssertEqual(doubled.elements.sorted(), (1...10).map { $0 * 2 })
    }

    func testSinkWithSerializerAndRecordClosure() throws {
        let env = environment()
        let values = env.fromElements("x", "yy")
        let serialized = CollectSink<SinkRecord>()
        values.sink(to: serialized, serializer: UTF8StringCodec())
        let records = CollectSink<SinkRecord>()
        values.sink(to: records) { SinkRecord(topic: "out", key: Array($0.utf8), value: Array("\($0.count)".utf8)) }
        try env.execute()
        XCTAssertEqual(Set(serialized.elements.map(\.value)), [Array("x".utf8), Array("yy".utf8)])
        XCTAssertEqual(Set(records.elements.map { String(decoding: $0.value ?? [], as: UTF8.self) }), ["1", "2"])
        XCTAssertTrue(records.elements.allSatisfy { $0.topic == "out" })
        XCTAssertGreaterThan(records.flushCount, 0, "sinks are flushed before commits")
    }

    func testFromSourceDeserializesValuesWithRecordTimestamps() throws {
        let source = ScriptedSource(polls: ScriptedSource.records([[(0, 1_000, "a"), (0, 7_000, "b")]]))
        let env = environment()
        let results = env.fromSource(source, deserializer: UTF8StringCodec())
            .keyBy { $0 }
            .window(TumblingEventTimeWindows.of(seconds: 5))
            .process { key, context, elements, _ in "\(key)@\(context.window.start)x\(elements.count)" }
            .collect()
        try env.execute()
        XCTAssertEqual(results.elements.sorted(), ["a@0x1", "b@5000x1"])
    }

    func testJSONCodecRoundTrip() throws {
        let event = Event(key: "k", value: 3, timestamp: 9)
        let codec = JSONCodec<Event>()
        XCTAssertEqual(try codec.deserialize(try codec.serialize(event)), event)
        XCTAssertThrowsError(try UTF8StringCodec().deserialize([0xff, 0xfe]))
    }
}
