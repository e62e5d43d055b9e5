import XCTest
@testable import Sluice
import SluiceTesting

/// What a job's definition keeps alive: nothing once the job is gone. A node that held a stream
/// of its own environment would hold the environment, and with it the runtime (a Kafka
/// runtime's clients and their threads), until the process exits.
final class EnvironmentLifetimeTests: XCTestCase {
    func testAJobOfEveryOperatorKindFreesItsEnvironmentAndRuntime() throws {
        weak var freedEnvironment: StreamEnvironment?
        weak var runtime: LocalRuntime?
        weak var job: Job?
        var results: [Int] = []
        do {
            let local = LocalRuntime()
            let env = environment(runtime: local)
            freedEnvironment = env
            runtime = local
            let events = (0..<60).map { Event(key: "k\($0 % 3)", value: $0, timestamp: Int64($0) * 1_000) }
            let keyed = env.fromCollection(events, partitions: 2)
                .assignTimestampsAndWatermarks(
                    WatermarkStrategy.forBoundedOutOfOrderness(.seconds(1)).withTimestampAssigner { event, _ in event.timestamp })
                .filter { $0.value >= 0 }
                .keyBy { $0.key }
            let windows = keyed.window(TumblingEventTimeWindows.of(seconds: 10))
            let sums = windows.reduce { Event(key: $0.key, value: $0.value + $1.value, timestamp: $0.timestamp) }.map(\.value)
            let counts = windows.aggregate(CountAggregate<Event>()) { _, _, count in count }
            let sizes = windows.process { _, _, elements, _ in elements.count }
            let running = keyed.reduce { Event(key: $0.key, value: max($0.value, $1.value), timestamp: $1.timestamp) }.map(\.value)
            let collected = sums.union(counts, sizes, running).flatMap { [$0] }.collect()
            let built = try env.build()
            job = built
            _ = try built.run()
            results = collected.elements
        }
        XCTAssertEqual(results.count, 3 * (6 * 3) + 60, "the sum, count and size of each of 6 windows of 3 keys, and every running maximum")
        XCTAssertNil(job, "the job is freed")
        XCTAssertNil(freedEnvironment, "the environment is freed with its job")
        XCTAssertNil(runtime, "the runtime is freed with its environment")
    }
}
