import BrokerRig
import Foundation
import KafkaTestJobs
import PostgresTestJobs
import RdKafka
import XCTest

/// A server without prepared transactions (`max_prepared_transactions = 0`, as on many managed
/// services): exactly-once is refused at start in one line naming the setting; at-least-once,
/// chosen explicitly, runs through crashes, and its upserts leave the table exact.
final class PostgresAtLeastOnceTests: PostgresJobTestCase {
    static let recordCount = 16_000

    func testExactlyOnceIsRefusedAtStartNamingTheSetting() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin, postgres) = try startServers(maxPreparedTransactions: 0)
        defer {
            broker.stop()
            postgres.stop()
        }
        let input = uniqueName("purchases"), job = uniqueName("pg-refused")
        try admin.createTopic(input, partitions: PurchaseJob.partitions)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("pg-refused"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let worker = try PostgresWorkerProcess(
            spec: spec(broker: broker, postgres: postgres, input: input, job: job, table: "totals", workerID: "w0"),
            directory: directory, incarnation: 1)
        defer { worker.kill() }
        guard worker.waitForExit(timeout: 60) else {
            return XCTFail("the worker did not stop:\n\(worker.indentedOutput())")
        }
        let failures = worker.output.split(separator: "\n").filter { $0.hasPrefix("FAILED") }
        print("[\(name)] \(failures.first ?? "no FAILED line")")
        XCTAssertEqual(worker.terminationStatus, 1)
        XCTAssertEqual(failures.count, 1, "one line:\n\(worker.indentedOutput())")
        XCTAssertTrue(failures.first?.contains("PostgreSQL at \(postgres.server) has max_prepared_transactions = 0") == true, "\(failures)")
        XCTAssertTrue(worker.events("restarting").isEmpty, "refused without retrying:\n\(worker.indentedOutput())")
    }

    func testAtLeastOnceThroughKillsLeavesTheUpsertedTableExact() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin, postgres) = try startServers(maxPreparedTransactions: 0)
        defer {
            broker.stop()
            postgres.stop()
        }
        let input = uniqueName("purchases"), job = uniqueName("pg-alo")
        let table = "totals_" + UUID().uuidString.prefix(8).lowercased()
        try admin.createTopic(input, partitions: PurchaseJob.partitions)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("pg-alo"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var incarnation = 0
        func spawn() throws -> PostgresWorkerProcess {
            incarnation += 1
            return try PostgresWorkerProcess(
                spec: spec(broker: broker, postgres: postgres, input: input, job: job, table: table, workerID: "w0",
                           parameters: ["sinkGuarantee": "at-least-once", "mode": "upsert"]),
                directory: directory, incarnation: incarnation)
        }
        var worker = try spawn()
        defer { worker.kill() }
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        let step = Self.recordCount / 4
        var kills = 0
        for quarter in 0..<4 {
            try PurchaseJob.produce(quarter * step..<(quarter + 1) * step, to: input, with: producer)
            guard quarter < 3 else { break }
            worker.wait(timeout: 30) { !$0.events("committed").isEmpty }
            Thread.sleep(forTimeInterval: Double.random(in: 0.5...1.5))
            worker.kill()
            kills += 1
            worker = try spawn()
        }
        try PurchaseJob.produceEndMarkers(to: input, with: producer)
        let expected = PurchaseTotalsToPostgres.expectedRows(count: Self.recordCount)
        try waitForRows(expected.count, in: table, of: postgres, timeout: 180)
        XCTAssertEqual(worker.terminate(), 0, "the worker did not stop gracefully:\n\(worker.indentedOutput())")
        let rows = try rows(of: table, in: postgres)
        print("[\(name)] \(kills) SIGKILLs; \(rows.count) rows, expected \(expected.count)")
        XCTAssertEqual(kills, 3)
        XCTAssertEqual(rows.count, expected.count, "one row per window")
        XCTAssertTrue(rows == expected, "every window's row, with the right count and sum, after upserts of the replays")
    }
}
