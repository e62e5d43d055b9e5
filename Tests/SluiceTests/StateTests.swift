import XCTest
@testable import Sluice

/// Per key: a running count (value), the values seen (list) and a histogram (map).
final class StatefulFunction: KeyedProcessFunction {
    private var count: (any ValueState<Int>)!
    private var seen: (any ListState<Int>)!
    private var histogram: (any MapState<Int, Int>)!

    func open(_ context: RuntimeContext<String>) throws {
        count = try context.state(ValueStateDescriptor<Int>("count"))
        seen = try context.listState(ListStateDescriptor<Int>("seen"))
        histogram = try context.mapState(MapStateDescriptor<Int, Int>("histogram"))
    }

    func processElement(_ value: Event, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        let next = (count.value() ?? 0) + 1
        count.update(next)
        seen.add(value.value)
        let bucket = value.value % 3
        histogram.put(bucket, (histogram.get(bucket) ?? 0) + 1)
        let buckets = histogram.entries().sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
        out.collect("\(context.currentKey) n=\(next) sum=\(seen.get().reduce(0, +)) \(buckets.joined(separator: ","))")
    }
}

final class StateTests: XCTestCase {
    func testValueListAndMapStateArePerKey() throws {
        let events = randomEvents(count: 300, keys: 4, maxTimestamp: 1_000, seed: 11)
        let env = environment(parallelism: 3)
        let results = env.fromCollection(events).keyBy { $0.key }.process(StatefulFunction()).collect()
        try env.execute()
        // Single partition in, so each key's elements arrive in input order.
        var expected: [String] = []
        var counts: [String: Int] = [:], sums: [String: Int] = [:], histograms: [String: [Int: Int]] = [:]
        for event in events {
            counts[event.key, default: 0] += 1
            sums[event.key, default: 0] += event.value
            histograms[event.key, default: [:]][event.value % 3, default: 0] += 1
            let buckets = histograms[event.key]!.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
            expected.append("\(event.key) n=\(counts[event.key]!) sum=\(sums[event.key]!) \(buckets.joined(separator: ","))")
        }
        XCTAssertEqual(results.elements.sorted(), expected.sorted())
    }

    func testMemoryBackendSnapshotRestoreRoundTrip() throws {
        let backend = MemoryStateBackend().makeKeyedBackend(keyCodec: JSONCodec<String>(), operatorName: "op", task: TaskID(stage: 1, partition: 0))
        let value = try backend.valueState(ValueStateDescriptor<Int>("value"))
        let list = try backend.listState(ListStateDescriptor<String>("list"))
        let map = try backend.mapState(MapStateDescriptor<String, Double>("map"))
        for (index, key) in ["a", "b", "c"].enumerated() {
            backend.currentKey = key
            value.update(index * 10)
            list.update(["\(key)1", "\(key)2"])
            map.put("x", Double(index))
            map.put("y", 0.5)
        }
        backend.currentKey = "b"
        map.remove("y")
        list.add("b3")
        let snapshot = try backend.snapshot()

        // Restored before the states are registered, as on task start.
        let early = MemoryStateBackend().makeKeyedBackend(keyCodec: JSONCodec<String>(), operatorName: "op", task: TaskID(stage: 1, partition: 0))
        try early.restore(from: snapshot)
        let earlyValue = try early.valueState(ValueStateDescriptor<Int>("value"))
        let earlyList = try early.listState(ListStateDescriptor<String>("list"))
        let earlyMap = try early.mapState(MapStateDescriptor<String, Double>("map"))
        // Restored after registration.
        let late = MemoryStateBackend().makeKeyedBackend(keyCodec: JSONCodec<String>(), operatorName: "op", task: TaskID(stage: 1, partition: 0))
        let lateValue = try late.valueState(ValueStateDescriptor<Int>("value"))
        let lateList = try late.listState(ListStateDescriptor<String>("list"))
        let lateMap = try late.mapState(MapStateDescriptor<String, Double>("map"))
        try late.restore(from: snapshot)

        for restored in [(early, earlyValue, earlyList, earlyMap), (late, lateValue, lateList, lateMap)] {
            XCTAssertEqual(Set(restored.0.keys), ["a", "b", "c"])
            for (index, key) in ["a", "b", "c"].enumerated() {
                restored.0.currentKey = key
                XCTAssertEqual(restored.1.value(), index * 10)
                XCTAssertEqual(restored.2.get(), key == "b" ? ["b1", "b2", "b3"] : ["\(key)1", "\(key)2"])
                XCTAssertEqual(restored.3.get("x"), Double(index))
                XCTAssertEqual(restored.3.get("y"), key == "b" ? nil : 0.5)
            }
        }
        XCTAssertEqual(try early.snapshot().count, snapshot.count)
    }

    func testSnapshotWithoutCodecsIsAnError() throws {
        let backend = MemoryStateBackend().makeKeyedBackend(keyCodec: nil as (any Codec<String>)?, operatorName: "op", task: TaskID(stage: 0, partition: 0))
        XCTAssertThrowsError(try backend.snapshot()) { XCTAssertEqual($0 as? StateError, .notSnapshottable("the keys of operator 'op'")) }
        let keyed = MemoryStateBackend().makeKeyedBackend(keyCodec: JSONCodec<String>(), operatorName: "op", task: TaskID(stage: 0, partition: 0))
        let opaque = try keyed.valueState(ValueStateDescriptor<Int>("opaque", codec: nil))
        keyed.currentKey = "a"
        opaque.update(1)
        XCTAssertThrowsError(try keyed.snapshot()) { XCTAssertEqual($0 as? StateError, .notSnapshottable("state 'opaque'")) }
        XCTAssertThrowsError(try keyed.listState(ListStateDescriptor<Int>("opaque"))) {
            XCTAssertEqual($0 as? StateError, .conflictingRegistration("opaque"))
        }
    }
}
