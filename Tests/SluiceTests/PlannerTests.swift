import XCTest
@testable import Sluice

final class PlannerTests: XCTestCase {

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

    func testKeyByOnTheSameKeyNeedsNoExchange() throws {
        let env = environment("plan")
        env.fromCollection(["a", "b"])
            .keyBy("word") { $0 }
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }
            .filter { !$0.isEmpty }
            .keyBy("word") { $0 }
            .window(TumblingEventTimeWindows.of(seconds: 10))
            .reduce { $0 + $1 }
            .print()
        let plan = try env.plan()
        XCTAssertEqual(plan.stages.count, 2)
        XCTAssertEqual(plan.exchanges.count, 1)
    }

    func testKeyByAfterMapOrOnAnotherKeyCutsAgain() throws {
        let env = environment("plan")
        let first: DataStream<String> = env.fromCollection(["a", "b"])
            .keyBy("word") { $0 }
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }
        let second: DataStream<String> = first
            .map { $0.uppercased() }
            .keyBy("word") { $0 }
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }
        let lengths: KeyedStream<String, Int> = second.keyBy("length") { $0.count }
        lengths.window(TumblingEventTimeWindows.of(seconds: 1)).reduce { $0 + $1 }.print()
        let plan = try env.plan()
        XCTAssertEqual(plan.stages.count, 4)
        XCTAssertEqual(plan.exchanges.map(\.fromStage), [0, 1, 2])
        XCTAssertEqual(plan.exchanges.map(\.keyName), ["word", "word", "length"])
    }

    func testSourcePartitionedByTheKeySkipsTheExchange() throws {
        let env = environment("plan")
        let source = ScriptedSource(partitions: 3, polls: [])
        env.fromSource(source, deserializer: UTF8StringCodec(), partitionedBy: "user")
            .keyBy("user") { $0 }
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }
            .print()
        let plan = try env.plan()
        XCTAssertEqual(plan.stages.count, 1)
        XCTAssertTrue(plan.exchanges.isEmpty)
    }

    func testDistributedModePlansRepartitionTopics() throws {
        let env = environment("clicks")
        let source = ScriptedSource(name: "clicks-in", partitions: 6, inProcess: false, polls: [])
        env.fromSource(source, deserializer: UTF8StringCodec())
            .keyBy("user") { $0 }
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { $0 + $1 }
            .keyBy("length") { $0.count }
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

