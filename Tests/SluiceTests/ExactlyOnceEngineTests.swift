import Foundation
import SluiceTesting
import XCTest
@testable import Sluice

/// The exactly-once protocol of the engine, over an in-memory broker that, like Tansu and
/// librdkafka's mocks, hands aborted records to every reader: a keyed window job with a
/// repartition stage checkpoints every round, chosen commits fail and abort, the worker rewinds
/// every task to its last committed checkpoint and goes on; the committed output holds every
/// window result exactly once with the right values.
final class ExactlyOnceEngineTests: XCTestCase {
    struct Purchase: Codable, Sendable {
        var user: String
        var amount: Int
    }

    struct Totals: Codable, Sendable {
        var count = 0
        var sum = 0
    }

    struct SumPurchases: AggregateFunction {
        func createAccumulator() -> Totals { Totals() }
        func add(_ value: Purchase, to accumulator: inout Totals) {
            accumulator.count += 1
            accumulator.sum += value.amount
        }
        func result(_ accumulator: Totals) -> Totals { accumulator }
        func merge(_ first: Totals, _ second: Totals) -> Totals { Totals(count: first.count + second.count, sum: first.sum + second.sum) }
    }

    static let partitions = 4
    static let windowMillis: Int64 = 1_000

    /// `count` purchases of 20 users, 10 ms apart per partition; returns the expected results.
    static func fill(_ broker: MemoryBroker, topic: String, count: Int, seed: UInt64) throws -> [String] {
        try broker.createTopic(topic, partitions: partitions)
        var random = SplitMix(state: seed)
        var totals: [String: Totals] = [:]
        for index in 0..<count {
            let purchase = Purchase(user: "u\(Int.random(in: 0..<20, using: &random))", amount: Int.random(in: 1...100, using: &random))
            let timestamp = Int64(index / partitions) * 10
            try broker.append(topic, partition: Int32(index % partitions), key: nil, value: Array(try JSONEncoder().encode(purchase)),
                              timestamp: timestamp)
            let key = "\(purchase.user)\t\(timestamp - timestamp % windowMillis)"
            totals[key, default: Totals()].count += 1
            totals[key, default: Totals()].sum += purchase.amount
        }
        return totals.map { "\($0.key)\t\($0.value.count)\t\($0.value.sum)" }.sorted()
    }

    /// Runs the job on `broker` until its bounded input is done, or it crashes.
    static func runJob(on broker: MemoryBroker) throws -> JobMetrics {
        let runtime = MemoryBrokerRuntime(broker: broker, ending: .atEndOffsets)
        // A few records per split and poll, so work spreads over many rounds and checkpoints.
        let source = try runtime.source(topics: ["purchases"], maxRecordsPerSplit: 7)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .zero
        configuration.threads = 1
        configuration.restartStrategy = .fixedDelay(delay: .zero, maxAttempts: 1_000)
        configuration.fullSnapshotInterval = 3
        let env = StreamEnvironment(jobName: "eos", runtime: runtime, configuration: configuration)
        env.fromSource(source, deserializer: JSONCodec<Purchase>())
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(.milliseconds(Self.windowMillis)))
            .aggregate(SumPurchases()) { user, window, totals in "\(user)\t\(window.start)\t\(totals.count)\t\(totals.sum)" }
            .sink(to: runtime.sink(topic: "totals")) { line in SinkRecord(value: Array(line.utf8)) }
        return try env.execute()
    }

    func run(
        failingCommits: Set<Int>, crashingCommit: Int? = nil, visibility: MemoryBroker.OffsetVisibility = .immediate,
        seed: UInt64, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let broker = MemoryBroker(offsetVisibility: visibility)
        broker.failCommits(failingCommits)
        if let crashingCommit { broker.crashAtCommit(crashingCommit) }
        let expected = try Self.fill(broker, topic: "purchases", count: 2_000, seed: seed)
        try broker.createTopic("totals", partitions: 1)
        var metrics: JobMetrics
        do {
            metrics = try Self.runJob(on: broker)
            XCTAssertNil(crashingCommit, "the worker crashed as told", file: file, line: line)
        } catch JobError.connectorFailed(_, let underlying as MemoryBroker.InjectedCrash) {
            XCTAssertEqual(underlying.commit, crashingCommit, file: file, line: line)
            // A new worker recovers from the checkpoints and offsets the group kept.
            metrics = try Self.runJob(on: broker)
        }
        let lines = broker.committedValues("totals").map { String(decoding: $0, as: UTF8.self) }.sorted()
        if crashingCommit == nil {
            XCTAssertEqual(metrics.restarts, failingCommits.count, "one restart per failed commit", file: file, line: line)
        }
        XCTAssertEqual(lines.count, expected.count, "as many results as windows (failing commits \(failingCommits.sorted()))", file: file, line: line)
        XCTAssertEqual(lines, expected, "every result exactly once (failing commits \(failingCommits.sorted()))", file: file, line: line)
    }

    func testWithoutFailuresEveryResultArrivesOnce() throws {
        try run(failingCommits: [], seed: 1)
    }

    func testEachSingleAbortedCommitRewindsAndEveryResultArrivesOnce() throws {
        for commit in 1...50 {
            try run(failingCommits: [commit], seed: UInt64(commit))
        }
    }

    func testAbortedCommitsRewindAndEveryResultArrivesOnce() throws {
        var random = SplitMix(state: 7)
        for seed in 0..<20 {
            let failing = Set((0..<Int.random(in: 2...8, using: &random)).map { _ in Int.random(in: 1...60, using: &random) })
            try run(failingCommits: failing, seed: UInt64(seed))
        }
    }

    func testANewWorkerRecoversAfterACrashAtEachCommit() throws {
        for commit in 1...40 {
            try run(failingCommits: [commit + 3, commit + 7], crashingCommit: commit, seed: UInt64(100 + commit))
        }
    }

    /// A broker that shows committed offsets late (as Tansu does while other transactions are
    /// open): the new worker finds a stale pointer, and the confirmations in the checkpoint
    /// partitions lead it to the newest committed checkpoint instead.
    func testANewWorkerRecoversFromConfirmationsWhenOffsetsLag() throws {
        for commit in stride(from: 2, through: 40, by: 3) {
            try run(failingCommits: [commit + 5], crashingCommit: commit, visibility: .lagging(commits: 8), seed: UInt64(200 + commit))
        }
    }

    /// A broker that keeps no transactional offsets at all (librdkafka's mock clusters): a new
    /// worker recovers from the confirmations alone.
    func testANewWorkerRecoversFromConfirmationsWithoutOffsets() throws {
        for commit in stride(from: 2, through: 40, by: 4) {
            try run(failingCommits: [], crashingCommit: commit, visibility: .never, seed: UInt64(300 + commit))
        }
    }
}
