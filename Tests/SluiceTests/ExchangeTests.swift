import XCTest
@testable import Sluice

/// Reports which task each element of a key reached.
final class TaskReporter: KeyedProcessFunction {
    private var task = 0

    func open(_ context: RuntimeContext<String>) {
        task = context.taskID.partition
    }

    func processElement(_ value: Event, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        out.collect("\(value.key) \(task)")
    }
}

final class ExchangeTests: XCTestCase {
    func testLocalHashExchangeRoutesEveryRecordOfAKeyToOneTask() throws {
        let events = randomEvents(count: 5_000, keys: 40, maxTimestamp: 1_000, seed: 5)
        let env = environment(parallelism: 4, batchSize: 128)
        let results = env.fromCollection(events, partitions: 3).keyBy { $0.key }.process(TaskReporter()).collect()
        try env.execute()
        XCTAssertEqual(results.elements.count, events.count, "no record lost or duplicated")
        var tasksByKey: [String: Set<String>] = [:]
        for line in results.elements {
            let parts = line.split(separator: " ")
            tasksByKey[String(parts[0]), default: []].insert(String(parts[1]))
        }
        XCTAssertEqual(Set(tasksByKey.keys), Set(events.map(\.key)))
        XCTAssertTrue(tasksByKey.values.allSatisfy { $0.count == 1 }, "\(tasksByKey)")
        XCTAssertGreaterThan(Set(tasksByKey.values.map { $0.first! }).count, 1, "keys spread over several tasks")
        var expectedPerKey: [String: Int] = [:]
        for event in events { expectedPerKey[event.key, default: 0] += 1 }
        var actualPerKey: [String: Int] = [:]
        for line in results.elements { actualPerKey[String(line.split(separator: " ")[0]), default: 0] += 1 }
        XCTAssertEqual(actualPerKey, expectedPerKey)
    }

    func testExchangeWatermarkIsMinimumOfActiveUpstreams() {
        let exchange = LocalHashExchange<Int>(upstreamCount: 3, partitionCount: 2)
        exchange.sendWatermark(500, idle: false, from: 0)
        exchange.sendWatermark(200, idle: false, from: 1)
        exchange.sendWatermark(100, idle: true, from: 2)
        exchange.send(StreamBatch(values: [1, 2], timestamps: [0, 0]), toPartition: 1, from: 0)
        XCTAssertEqual(exchange.receive(partition: 0).watermark, 200)
        let delivery = exchange.receive(partition: 1)
        XCTAssertEqual(delivery.batches.flatMap(\.values), [1, 2])
        XCTAssertTrue(exchange.receive(partition: 1).batches.isEmpty, "receiving drains the mailbox")
        for upstream in 0..<3 { exchange.sendWatermark(0, idle: true, from: upstream) }
        XCTAssertNil(exchange.receive(partition: 0).watermark)
    }
}
