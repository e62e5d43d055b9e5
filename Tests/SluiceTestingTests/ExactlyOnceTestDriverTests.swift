import Synchronization
import XCTest
import Sluice
import SluiceTesting

/// The exactly-once test driver on a keyed window job of its own (the word-count example's
/// StreamJob runs in SluiceJobTestingTests): workers move only when the test says and
/// checkpoint only when asked; a worker whose session expires aborts, rewinds and rejoins, one
/// stopped hands its splits over, and every window result is committed once; misuse and job
/// failures are errors naming the worker.
final class ExactlyOnceTestDriverTests: XCTestCase {
    struct Purchase: Codable, Sendable {
        var user: String
        var amount: Int
    }

    /// Per user and 1 s window: `user<TAB>window start<TAB>sum`.
    private func driver(broker: MemoryBroker = MemoryBroker(), configuration: JobConfiguration = JobConfiguration())
        -> ExactlyOnceTestDriver {
        ExactlyOnceTestDriver(jobName: "totals", broker: broker, configuration: configuration) { env, runtime in
            env.fromSource(try runtime.source(topics: ["purchases"]), deserializer: JSONCodec<Purchase>())
                .map { purchase in
                    guard purchase.amount >= 0 else { throw PoisonPurchase(user: purchase.user) }
                    return purchase
                }
                .keyBy(\.user)
                .window(TumblingEventTimeWindows.of(.milliseconds(1_000)))
                .aggregate(Sum(\.amount)) { user, window, sum in "\(user)\t\(window.start)\t\(sum)" }
                .sink(to: runtime.sink(topic: "totals"), serializer: UTF8StringCodec())
        }
    }

    struct PoisonPurchase: Error, CustomStringConvertible {
        var user: String
        var description: String { "negative amount for \(user)" }
    }

    /// `count` purchases of 8 users, 25 ms apart; returns their expected window sums.
    private func pipePurchases(_ topic: BrokerInputTopic<Purchase>, range: Range<Int>, seed: UInt64) throws -> [String: Int] {
        var random = SplitMix(state: seed)
        var sums: [String: Int] = [:]
        for index in range {
            let purchase = Purchase(user: "u\(Int.random(in: 0..<8, using: &random))", amount: Int.random(in: 1...50, using: &random))
            let timestamp = Int64(index) * 25
            try topic.pipe(value: purchase, timestamp: timestamp)
            sums["\(purchase.user)\t\(timestamp - timestamp % 1_000)", default: 0] += purchase.amount
        }
        return sums
    }

    func testWorkersMoveOnlyWhenTheTestSaysAndCommitOnlyAtCheckpoints() throws {
        let driver = driver()
        defer { _ = try? driver.close() }
        let purchases = try driver.input("purchases", partitions: 2, serializer: JSONCodec<Purchase>())
        let totals = try driver.output("totals", deserializer: UTF8StringCodec())
        let worker = try driver.startWorker()
        XCTAssertEqual(worker, "worker-0")
        let inputs = [Split(topic: "purchases", partition: 0), Split(topic: "purchases", partition: 1)]
        _ = try pipePurchases(purchases, range: 0..<200, seed: 3)
        let revision = driver.broker.revision
        XCTAssertEqual(driver.broker.revision, revision, "nothing runs between the test's calls")

        try driver.runRounds(5)
        XCTAssertEqual(driver.group.committedOffsets(for: inputs), [:], "rounds without a checkpoint commit nothing")
        XCTAssertEqual(try totals.readCommitted().count, 0)
        XCTAssertGreaterThan(try totals.readUncommitted().count + Self.records(in: "totals-1-repartition", driver.broker), 0,
                             "but the worker read and wrote, in its open transaction")

        try driver.checkpoint()
        let committed = driver.group.committedOffsets(for: inputs)
        XCTAssertEqual(Set(committed.keys), Set(inputs), "a checkpoint commits the input positions")
        XCTAssertTrue(committed.values.allSatisfy { $0 > 0 })
        XCTAssertEqual(driver.workers, ["worker-0"])
    }

    func testEveryResultOnceThroughALostSessionAGracefulStopAndAJoin() throws {
        let rebalances = Mutex<[RebalanceEvent.Change]>([])
        var configuration = JobConfiguration()
        configuration.batchSize = 40
        configuration.rebalanceObserver = { event in rebalances.withLock { $0.append(event.change) } }
        let driver = driver(configuration: configuration)
        defer { _ = try? driver.close() }
        let purchases = try driver.input("purchases", partitions: 4, serializer: JSONCodec<Purchase>())
        let totals = try driver.output("totals", partitions: 2, deserializer: UTF8StringCodec())
        var expected = try pipePurchases(purchases, range: 0..<400, seed: 9)

        let a = try driver.startWorker("a")
        let b = try driver.startWorker("b")
        try driver.runRounds(3)
        XCTAssertEqual(driver.group.assignment(of: a).count, 4, "8 splits: 4 input and 4 repartition partitions, even")
        XCTAssertEqual(driver.group.assignment(of: b).count, 4)
        try driver.checkpoint()
        try driver.runRounds(2)

        // b's session expires with work in its transaction: a gets b's splits at once, b aborts
        // and rewinds at its next round, then rejoins and gets some back.
        try driver.expireSession(of: b)
        XCTAssertEqual(driver.group.assignment(of: b), [])
        try driver.runRounds(4)
        XCTAssertTrue(rebalances.withLock { $0 }.contains(.lost), "b was told it lost its splits")
        XCTAssertFalse(driver.group.assignment(of: b).isEmpty, "b rejoined and got splits back")

        for (key, sum) in try pipePurchases(purchases, range: 400..<700, seed: 10) { expected[key, default: 0] += sum }
        try driver.runRounds(3)
        // a stops gracefully: a final checkpoint, then its splits go to b; c joins.
        let stopped = try XCTUnwrap(try driver.stopWorker(a))
        XCTAssertGreaterThan(stopped.recordsRead, 0)
        XCTAssertEqual(driver.workers, [b])
        try driver.startWorker("c")
        try driver.endInputs()
        try driver.settle()

        let lines = try totals.readCommittedValues().sorted()
        XCTAssertEqual(lines, expected.map { "\($0.key)\t\($0.value)" }.sorted(), "every window sum once")
        XCTAssertEqual(driver.workers, ["b", "c"])
        XCTAssertEqual(driver.group.assignment(of: "b").count + driver.group.assignment(of: "c").count, 8)
        let metrics = try driver.close()
        XCTAssertEqual(Set(metrics.keys), ["b", "c"])
        XCTAssertEqual(driver.workers, [])
    }

    func testMisuseAndJobFailuresNameTheWorker() throws {
        let driver = driver()
        defer { _ = try? driver.close() }
        XCTAssertThrowsError(try driver.startWorker()) { error in
            XCTAssertEqual(error as? MemoryBrokerError, .unknownTopic("purchases"), "planning names the missing topic")
        }
        let purchases = try driver.input("purchases", partitions: 1, serializer: JSONCodec<Purchase>())
        _ = try driver.output("totals", deserializer: UTF8StringCodec())
        let worker = try driver.startWorker("w")
        XCTAssertThrowsError(try driver.startWorker("w")) { error in
            XCTAssertEqual("\(error)", "worker w is running already; crash or stop it before starting it again")
        }
        XCTAssertThrowsError(try driver.runRound("x")) { error in
            XCTAssertEqual("\(error)", "no running worker is named x; running: w")
        }
        try purchases.pipe(value: Purchase(user: "mallory", amount: -1), timestamp: 0)
        XCTAssertThrowsError(try driver.runRound(worker)) { error in
            guard case .workerFailed(let failed, let underlying)? = error as? ExactlyOnceTestDriverError else { return XCTFail("\(error)") }
            XCTAssertEqual(failed, "w")
            XCTAssertTrue("\(underlying)".contains("negative amount for mallory"), "\(underlying)")
            XCTAssertTrue("\(error)".hasPrefix("worker w failed: "), "\(error)")
        }
        XCTAssertEqual(driver.workers, [], "a failed worker is gone")
        XCTAssertThrowsError(try driver.crash(worker)) { error in
            XCTAssertEqual("\(error)", "no running worker is named w; running: none")
        }
    }

    private static func records(in topic: String, _ broker: MemoryBroker) -> Int {
        (0..<(broker.partitionCount(topic) ?? 0)).reduce(0) { $0 + broker.records(Split(topic: topic, partition: Int32($1))).count }
    }
}
