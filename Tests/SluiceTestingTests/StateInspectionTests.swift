import XCTest
import Sluice
import SluiceTesting

/// Keeps, per key, a count, the values seen and the longest value per first two letters.
final class TallyFunction: KeyedProcessFunction {
    static let count = ValueStateDescriptor<Int>("count")
    static let seen = ListStateDescriptor<String>("seen")
    static let longest = MapStateDescriptor<String, Int>("longest")
    private var count: (any ValueState<Int>)!
    private var seen: (any ListState<String>)!
    private var longest: (any MapState<String, Int>)!

    func open(_ context: RuntimeContext<String>) throws {
        count = try context.state(Self.count)
        seen = try context.listState(Self.seen)
        longest = try context.mapState(Self.longest)
    }

    func processElement(_ value: String, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        count.update((count.value() ?? 0) + 1)
        seen.add(value)
        let prefix = String(value.prefix(2))
        longest.put(prefix, max(longest.get(prefix) ?? 0, value.count))
        out.collect(value)
    }
}

/// Keyed state read through the driver between pipes, compared with state kept by the test.
final class StateInspectionTests: XCTestCase {
    func testKeyedStateOfEveryTaskIsReadableByOperatorName() throws {
        var configuration = JobConfiguration()
        configuration.parallelism = 3
        let driver = TestDriver(jobName: "tally", configuration: configuration) { env, topics in
            env.fromSource(try topics.source(topics: ["words"]), deserializer: UTF8StringCodec())
                .keyBy { String($0.prefix(1)) }
                .process(TallyFunction())
                .keyBy { String($0.prefix(1)) }
                .window(TumblingEventTimeWindows.of(seconds: 10))
                .aggregate(Count()) { key, window, count in "\(key) \(window.start) \(count)" }
                .sink(to: topics.sink(topic: "counts"), serializer: UTF8StringCodec())
        }
        defer { _ = try? driver.close() }
        let words = try driver.input("words", partitions: 2, serializer: UTF8StringCodec())
        let input = ["apple", "avocado", "banana", "blueberry", "cherry", "apricot", "beet", "almond", "cranberry", "basil"]
        var expectedSeen: [String: [String]] = [:]
        for (index, word) in input.enumerated() {
            try words.pipe(value: word, timestamp: Int64(index) * 100)
            expectedSeen[String(word.prefix(1)), default: []].append(word)
            let key = String(word.prefix(1))
            XCTAssertEqual(try driver.valueState(TallyFunction.count, ofOperator: "process(TallyFunction)", key: key),
                           expectedSeen[key]!.count, "after \(word)")
        }
        XCTAssertEqual(driver.statefulOperators.count, 2, "\(driver.statefulOperators)")
        XCTAssertEqual(Set(try driver.keys(ofOperator: "process(TallyFunction)", as: String.self)), Set(expectedSeen.keys))
        for (key, values) in expectedSeen {
            XCTAssertEqual(try driver.listState(TallyFunction.seen, ofOperator: "process(TallyFunction)", key: key), values)
            var longest: [String: Int] = [:]
            for value in values { longest[String(value.prefix(2))] = max(longest[String(value.prefix(2))] ?? 0, value.count) }
            let entries = try driver.mapState(TallyFunction.longest, ofOperator: "process(TallyFunction)", key: key)
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) }), longest)
        }
        XCTAssertNil(try driver.valueState(TallyFunction.count, ofOperator: "process(TallyFunction)", key: "z"))

        // The window operator holds every key's open window until the watermark passes it.
        let window = try XCTUnwrap(driver.statefulOperators.first { $0.contains("window(") })
        XCTAssertEqual(Set(try driver.keys(ofOperator: window, as: String.self)), Set(expectedSeen.keys))
        try driver.advanceWatermark(to: 9_999)
        XCTAssertEqual(try driver.output("counts", deserializer: UTF8StringCodec()).readValues().sorted(),
                       expectedSeen.map { "\($0.key) 0 \($0.value.count)" }.sorted())
        XCTAssertEqual(try driver.keys(ofOperator: window, as: String.self), [], "fired windows leave no state")
    }

    func testAQueryNamingNoOperatorListsTheJobsOperators() throws {
        let driver = TestDriver { env, topics in
            env.fromSource(try topics.source(topics: ["words"]), deserializer: UTF8StringCodec())
                .keyBy { $0 }
                .process(TallyFunction())
                .sink(to: topics.sink(topic: "out"), serializer: UTF8StringCodec())
        }
        defer { _ = try? driver.close() }
        _ = try driver.input("words")
        XCTAssertThrowsError(try driver.keys(ofOperator: "process(Other)", as: String.self)) { error in
            guard case .noSuchOperator(let name, let operators) = error as? TestDriverError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "process(Other)")
            XCTAssertEqual(operators.count, 1)
            XCTAssertTrue(operators[0].hasSuffix("-process(TallyFunction)"), "\(operators)")
        }
        XCTAssertThrowsError(try driver.keys(ofOperator: "process(TallyFunction)", as: Int.self)) { error in
            guard case .keyTypeMismatch(_, let requested) = error as? TestDriverError else { return XCTFail("\(error)") }
            XCTAssertEqual(requested, "Int")
        }
    }
}
