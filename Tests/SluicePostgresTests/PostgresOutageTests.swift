import BrokerRig
import Foundation
import KafkaTestJobs
import PostgresTestJobs
import RdKafka
import XCTest

/// PostgreSQL away while a job from Kafka writes to it: down for 20 s mid-run, the job retries
/// from its last checkpoint by itself and the table is exact afterwards; down for good, the
/// job gives up with one line naming the server and never the password.
final class PostgresOutageTests: PostgresJobTestCase {
    static let recordCount = 24_000

    func testTwentySecondsDownMidRunAndTheTableIsExactAfterwards() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin, postgres) = try startServers()
        defer {
            broker.stop()
            postgres.stop()
        }
        let input = uniqueName("purchases"), job = uniqueName("pg-outage")
        let table = "totals_" + UUID().uuidString.prefix(8).lowercased()
        try admin.createTopic(input, partitions: PurchaseJob.partitions)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("pg-outage"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Retries every second for up to a minute without a checkpoint: longer than the outage.
        let worker = try PostgresWorkerProcess(
            spec: spec(broker: broker, postgres: postgres, input: input, job: job, table: table, workerID: "w0",
                       parameters: ["restartDelayMillis": "1000", "restartAttempts": "60"]),
            directory: directory, incarnation: 1)
        defer { worker.kill() }
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        try PurchaseJob.produce(0..<Self.recordCount / 2, to: input, with: producer)
        XCTAssertGreaterThan(try waitForRows(1, in: table, of: postgres, timeout: 60), 0, "rows before the outage:\n\(worker.indentedOutput())")

        try postgres.stopServer()
        let down = Date()
        try PurchaseJob.produce(Self.recordCount / 2..<Self.recordCount, to: input, with: producer)
        Thread.sleep(forTimeInterval: max(0, 20 - Date().timeIntervalSince(down)))
        XCTAssertTrue(worker.isRunning, "the worker gave up while the server was down:\n\(worker.indentedOutput())")
        try postgres.startServer()
        let outage = Date().timeIntervalSince(down)
        try PurchaseJob.produceEndMarkers(to: input, with: producer)

        let expected = PurchaseTotalsToPostgres.expectedRows(count: Self.recordCount)
        try waitForRows(expected.count, in: table, of: postgres, timeout: 180)
        XCTAssertEqual(worker.terminate(), 0, "the worker did not stop gracefully:\n\(worker.indentedOutput())")
        let rows = try rows(of: table, in: postgres)
        let restarts = worker.events("restarting")
        print("[\(name)] PostgreSQL down \(String(format: "%.1f", outage)) s; \(restarts.count) restarts; \(rows.count) rows, expected \(expected.count)")
        XCTAssertFalse(restarts.isEmpty, "the outage made the worker restart:\n\(worker.indentedOutput())")
        XCTAssertTrue(restarts.allSatisfy { $0.contains(postgres.server) }, "each restart names the server: \(restarts)")
        XCTAssertEqual(try postgres.preparedTransactions(), [])
        XCTAssertEqual(rows.count, expected.count, "one row per window")
        XCTAssertTrue(rows == expected, "every window's row once, with the right count and sum")
    }

    func testGivingUpNamesTheServerInOneLineWithoutThePassword() throws {
        guard try runsOnLibrdkafka216() else { return }
        let password = "pw-\(UUID().uuidString.prefix(8))"
        let (broker, admin, postgres) = try startServers(password: password)
        defer {
            broker.stop()
            postgres.stop()
        }
        let input = uniqueName("purchases"), job = uniqueName("pg-gone")
        try admin.createTopic(input, partitions: PurchaseJob.partitions)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("pg-gone"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = postgres.url.replacingOccurrences(of: "sluice@", with: "sluice:\(password)@")
        try postgres.stopServer()
        var spec = spec(broker: broker, postgres: postgres, input: input, job: job, table: "totals", workerID: "w0",
                        parameters: ["restartDelayMillis": "200", "restartAttempts": "3"])
        spec.parameters["postgres"] = url
        let worker = try PostgresWorkerProcess(spec: spec, directory: directory, incarnation: 1)
        defer { worker.kill() }
        guard worker.waitForExit(timeout: 90) else {
            return XCTFail("the worker did not give up:\n\(worker.indentedOutput())")
        }
        let failures = worker.output.split(separator: "\n").filter { $0.hasPrefix("FAILED") }
        print("[\(name)] \(failures.first ?? "no FAILED line")")
        XCTAssertEqual(worker.terminationStatus, 1)
        XCTAssertEqual(failures.count, 1, "one line:\n\(worker.indentedOutput())")
        XCTAssertTrue(failures.first?.contains("PostgreSQL at \(postgres.server) unreachable") == true, "\(failures)")
        XCTAssertFalse(worker.output.contains(password), "the password shows:\n\(worker.indentedOutput())")
    }
}
