import XCTest
@testable import Sluice

final class PlannerTests: XCTestCase {
    static let word = KeySelector<String, String>("word") { $0 }
    static let eventKey = KeySelector<Event, String>("event key") { $0.key }

    func testKeyByCutsAStageBehindALocalHashExchange() throws {
        let env = environment("plan")
        env.fromCollection([1, 2, 3], partitions: 2)
            .map { $0 * 2 }
            .keyBy { $0 % 2 }
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce(+)
            .print()
        let plan = try env.plan()
        XCTAssertEqual(plan.mode, .local)
        XCTAssertEqual(plan.stages.count, 2)
        XCTAssertEqual(plan.stages[0].taskCount, 2)
        XCTAssertEqual(plan.exchanges.count, 1)
        XCTAssertEqual(plan.exchanges[0].kind, .localHash)
        XCTAssertEqual(plan.exchanges[0].partitionCount, 2, "partitions follow the source by default")
        XCTAssertTrue(plan.stages[0].operators.contains("map"))
        XCTAssertTrue(plan.stages[1].operators.contains { $0.hasPrefix("window(tumbling 1000 ms)") })
        XCTAssertTrue(try env.describe().contains("via local hash exchange"))
    }

    // MARK: the same key needs no exchange

    func testTheSameKeyPathOnAStreamPartitionedByItNeedsNoExchange() throws {
        let env = environment("plan")
        let source = CollectionSource(name: "events", elements: [(Event, Int64)](), partitions: 3)
        env.fromSource(source, partitionedBy: \.key)
            .filter { $0.value > 0 }
            .assignTimestampsAndWatermarks(.forMonotonousTimestamps().withTimestampAssigner { event, _ in event.timestamp })
            .keyBy(\.key)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { first, _ in first }
            .print()
        let plan = try env.plan()
        XCTAssertEqual(plan.stages.count, 1)
        XCTAssertTrue(plan.exchanges.isEmpty)
        XCTAssertEqual(plan.stages[0].taskCount, 3)
    }

    func testTheSameSelectorOnAStreamPartitionedByItNeedsNoExchange() throws {
        let env = environment("plan")
        let source = ScriptedSource(partitions: 3, polls: [])
        env.fromSource(source, deserializer: UTF8StringCodec(), partitionedBy: Self.word)
            .keyBy(Self.word)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }
            .print()
        let plan = try env.plan()
        XCTAssertEqual(plan.stages.count, 1)
        XCTAssertTrue(plan.exchanges.isEmpty)
    }

    func testAStatedPartitioningNeedsNoExchange() throws {
        let env = environment("plan")
        let source = CollectionSource(name: "events", elements: [(Event, Int64)](), partitions: 2)
        let counted: DataStream<Event> = env.fromSource(source, partitionedBy: \.key)
            .map(preservingPartitioning: true) { Event(key: $0.key, value: $0.value * 2, timestamp: $0.timestamp) }
            .keyBy(\.key)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { Event(key: $0.key, value: $0.value + $1.value, timestamp: $0.timestamp) }
        // The reduce keeps each element's key, which only the user knows.
        counted.assumePartitioned(by: \.key)
            .keyBy(\.key)
            .window(TumblingEventTimeWindows.of(seconds: 10))
            .reduce { Event(key: $0.key, value: $0.value + $1.value, timestamp: $0.timestamp) }
            .print()
        let plan = try env.plan()
        XCTAssertEqual(plan.stages.count, 1)
        XCTAssertTrue(plan.exchanges.isEmpty)
    }

    // MARK: a changed key always repartitions

    func testWindowOutputReKeyedByTheSameSelectorRepartitions() throws {
        let env = environment("plan")
        env.fromCollection(["a", "b"])
            .keyBy(Self.word)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }   // "a" + "a" is no longer keyed "a"
            .filter { !$0.isEmpty }
            .keyBy(Self.word)
            .window(TumblingEventTimeWindows.of(seconds: 10))
            .reduce { $0 + $1 }
            .print()
        let plan = try env.plan()
        XCTAssertEqual(plan.stages.count, 3)
        XCTAssertEqual(plan.exchanges.map(\.fromStage), [0, 1])
        XCTAssertEqual(plan.exchanges.map(\.keyName), ["word", "word"])
    }

    func testWindowAndProcessOutputsReKeyedByTheSameKeyPathRepartition() throws {
        let env = environment("plan")
        let source = CollectionSource(name: "events", elements: [(Event, Int64)](), partitions: 2)
        env.fromSource(source, partitionedBy: \.key)
            .keyBy(\.key)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { Event(key: $0.key + $1.key, value: 0, timestamp: 0) }
            .keyBy(\.key)
            .process(Relabel())
            .keyBy(\.key)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { first, _ in first }
            .print()
        let plan = try env.plan()
        XCTAssertEqual(plan.stages.count, 3, "the source's claim saves the first exchange only")
        XCTAssertEqual(plan.exchanges.map(\.fromStage), [0, 1])
        XCTAssertEqual(plan.exchanges.map(\.keyName), ["\\Event.key", "\\Event.key"])
    }

    func testASelectorOfTheSameNameIsAnotherKey() throws {
        let env = environment("plan")
        let source = ScriptedSource(partitions: 2, polls: [])
        let sameName = KeySelector<String, String>("word") { $0 }
        env.fromSource(source, deserializer: UTF8StringCodec(), partitionedBy: Self.word)
            .keyBy(sameName)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }
            .print()
        let plan = try env.plan()
        XCTAssertEqual(plan.stages.count, 2)
        XCTAssertEqual(plan.exchanges.map(\.keyName), ["word"])
    }

    func testTheSameKeyPathNameOnAnotherElementTypeRepartitions() throws {
        let env = environment("plan")
        let source = CollectionSource(name: "events", elements: [(Event, Int64)](), partitions: 2)
        env.fromSource(source, partitionedBy: \.key)
            .map { Tagged(key: $0.key) }   // the same key, as far as we know, but another type
            .keyBy(\.key)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { first, _ in first }
            .print()
        let plan = try env.plan()
        XCTAssertEqual(plan.stages.count, 2)
        XCTAssertEqual(plan.exchanges.map(\.keyName), ["\\Tagged.key"])
    }

    func testAMapOrFlatMapOfTheSameTypeDropsThePartitioning() throws {
        let env = environment("plan")
        let source = CollectionSource(name: "events", elements: [(Event, Int64)](), partitions: 2)
        let events = env.fromSource(source, partitionedBy: \.key)
        events.map { Event(key: $0.key.uppercased(), value: $0.value, timestamp: $0.timestamp) }
            .keyBy(\.key).window(TumblingEventTimeWindows.of(seconds: 1)).reduce { first, _ in first }.print()
        events.map(preservingPartitioning: false) { $0 }
            .keyBy(\.key).window(TumblingEventTimeWindows.of(seconds: 1)).reduce { first, _ in first }.print()
        events.flatMap { [$0, $0] }
            .keyBy(\.key).window(TumblingEventTimeWindows.of(seconds: 1)).reduce { first, _ in first }.print()
        events.union(events)
            .keyBy(\.key).window(TumblingEventTimeWindows.of(seconds: 1)).reduce { first, _ in first }.print()
        let plan = try env.plan()
        XCTAssertEqual(plan.exchanges.count, 4)
        XCTAssertEqual(plan.exchanges.map(\.fromStage), [0, 0, 0, 0])
    }

    func testAnotherKeyPathOrAClosureKeyRepartitions() throws {
        let env = environment("plan")
        let source = CollectionSource(name: "events", elements: [(Event, Int64)](), partitions: 2)
        let events = env.fromSource(source, partitionedBy: \.key)
        events.keyBy(\.value).window(TumblingEventTimeWindows.of(seconds: 1)).reduce { first, _ in first }.print()
        events.keyBy { $0.key }.window(TumblingEventTimeWindows.of(seconds: 1)).reduce { first, _ in first }.print()
        events.keyBy(Self.eventKey).window(TumblingEventTimeWindows.of(seconds: 1)).reduce { first, _ in first }.print()
        let plan = try env.plan()
        XCTAssertEqual(plan.exchanges.map(\.keyName), ["\\Event.value", nil, "event key"])
        let text = try env.describe()
        XCTAssertTrue(text.contains("=> stage 1 via local hash exchange by \\Event.value, 2 partitions"), text)
        XCTAssertTrue(text.contains("=> stage 2 via local hash exchange, 2 partitions"), text)
        XCTAssertTrue(text.contains("=> stage 3 via local hash exchange by event key, 2 partitions"), text)
    }

    func testKeyByAfterMapOrOnAnotherKeyCutsAgain() throws {
        let env = environment("plan")
        let first: DataStream<String> = env.fromCollection(["a", "b"])
            .keyBy(\.self)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }
        let second: DataStream<String> = first
            .map { $0.uppercased() }
            .keyBy(\.self)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }
        let lengths: KeyedStream<String, Int> = second.keyBy(\.count)
        lengths.window(TumblingEventTimeWindows.of(seconds: 1)).reduce { $0 + $1 }.print()
        let plan = try env.plan()
        XCTAssertEqual(plan.stages.count, 4)
        XCTAssertEqual(plan.exchanges.map(\.fromStage), [0, 1, 2])
        XCTAssertEqual(plan.exchanges[0].keyName, "\\String.self")
        XCTAssertEqual(plan.exchanges[1].keyName, "\\String.self")
        // A computed property's key path shows without the address Swift prints for it.
        let computed = try XCTUnwrap(plan.exchanges[2].keyName)
        XCTAssertTrue(computed.hasPrefix("\\String.<computed "), computed)
        XCTAssertFalse(computed.contains("0x"), computed)
        XCTAssertTrue(computed.hasSuffix("(Int)>"), computed)
    }

    func testDistributedModePlansRepartitionTopics() throws {
        let env = environment("clicks")
        let source = ScriptedSource(name: "clicks-in", partitions: 6, inProcess: false, polls: [])
        env.fromSource(source, deserializer: UTF8StringCodec())
            .keyBy(\.self)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }
            .keyBy(\.count)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }
            .print()
        let plan = try env.plan()
        XCTAssertEqual(plan.mode, .distributed)
        XCTAssertEqual(plan.exchanges.map(\.kind), [.repartitionTopic("clicks-1-repartition"), .repartitionTopic("clicks-2-repartition")])
        XCTAssertEqual(plan.exchanges.map(\.partitionCount), [6, 6])
        XCTAssertEqual(plan.repartitionTopics, ["clicks-1-repartition", "clicks-2-repartition"])
        let text = try env.describe()
        XCTAssertTrue(text.contains("repartition topic clicks-1-repartition"), text)
        XCTAssertTrue(text.contains("topics to create: clicks-1-repartition, clicks-2-repartition"), text)
        XCTAssertThrowsError(try env.execute()) { error in
            guard case JobError.unsupported = error else { return XCTFail("\(error)") }
        }
    }

    func testUnionAfterDifferentStagesIsRejected() throws {
        let env = environment("plan")
        let keyed = env.fromCollection([1]).keyBy { $0 }.window(TumblingEventTimeWindows.of(seconds: 1)).reduce(+)
        keyed.union(env.fromCollection([2])).print()
        XCTAssertThrowsError(try env.plan())
    }
}

/// An element type with a `key` like ``Event``'s: the same name, another key path.
private struct Tagged: Sendable, Codable {
    var key: String
}

/// Emits each event with its key changed: the output is not partitioned by its own key.
private final class Relabel: KeyedProcessFunction {
    func processElement(_ value: Event, context: KeyedProcessContext<String, Event>, out: Collector<Event>) {
        out.collect(Event(key: value.key + "'", value: value.value, timestamp: value.timestamp))
    }
}
