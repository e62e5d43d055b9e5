import BrokerRig
import Foundation
import KafkaTestJobs
import PostgresTestJobs
import RdKafka
import XCTest

/// Exactly-once into PostgreSQL under real crashes: the keyed window job (a repartition stage,
/// 5 s windows) from Tansu into a table without a key, so a row written twice would show twice,
/// run by two worker processes that are killed with SIGKILL at random moments, and restarted
/// armed to kill themselves inside a checkpoint: after the snapshot pieces were staged, after
/// the manifests were written, right after the Kafka commit, and between the Kafka commit and
/// the sink's `COMMIT PREPARED` (a prepared transaction that only the committed manifest names).
/// The table must hold every window's row once, with the count and sum computed here from the
/// input, and no prepared transaction may be left.
final class PostgresExactlyOnceCrashTests: PostgresJobTestCase {
    static let recordCount = 40_000

    func testKeyedWindowJobIntoPostgresSurvivesRepeatedKillsExactlyOnce() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin, postgres) = try startServers()
        defer {
            broker.stop()
            postgres.stop()
        }
        let input = uniqueName("purchases"), job = uniqueName("pg-crash")
        let table = "totals_" + UUID().uuidString.prefix(8).lowercased()
        try admin.createTopic(input, partitions: PurchaseJob.partitions)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("pg-crash"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SystemRandomNumberGenerator()

        var incarnations = 0
        func spawn(_ id: String, crashAt: String? = nil, commitPreparedCrash: Int? = nil) throws -> PostgresWorkerProcess {
            incarnations += 1
            let parameters = commitPreparedCrash.map { ["crashBeforeCommitPrepared": String($0)] } ?? [:]
            let spec = spec(broker: broker, postgres: postgres, input: input, job: job, table: table, workerID: id,
                            crashAt: crashAt, parameters: parameters)
            return try PostgresWorkerProcess(spec: spec, directory: directory, incarnation: incarnations)
        }
        func isArmed(_ worker: PostgresWorkerProcess) -> Bool {
            worker.spec.crashAt != nil || worker.spec.parameters["crashBeforeCommitPrepared"] != nil
        }
        var workers: [String: PostgresWorkerProcess] = ["w0": try spawn("w0"), "w1": try spawn("w1")]
        var retired: [PostgresWorkerProcess] = []
        defer { for worker in workers.values { worker.kill() } }

        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        var produced = 0
        var target = Self.recordCount
        func produce(_ count: Int) throws {
            let end = min(target, produced + count)
            try PurchaseJob.produce(produced..<end, to: input, with: producer)
            produced = end
        }

        var kills = 0, selfCrashes = 0, commitPreparedCrashes = 0
        let phases = ["pieces", "manifests", "committed"]
        func replaceCrashed() throws {
            for (id, worker) in workers where !worker.isRunning {
                XCTAssertTrue(worker.output.contains("CRASH at"), "worker \(id) exited without being told to:\n\(worker.indentedOutput())")
                selfCrashes += 1
                if worker.output.contains("CRASH at commit-prepared") { commitPreparedCrashes += 1 }
                retired.append(worker)
                workers[id] = try spawn(id)
            }
        }
        while true {
            if kills + selfCrashes >= 12, produced >= target {
                // Until a worker died between the Kafka commit and COMMIT PREPARED, go on (up to
                // twice the records): only a checkpoint with rows to commit arms that moment.
                guard commitPreparedCrashes == 0, target < 2 * Self.recordCount else { break }
                target += Self.recordCount / 8
            }
            try produce(Self.recordCount / 16)
            try replaceCrashed()
            let id = Bool.random(using: &random) ? "w0" : "w1"
            guard let victim = workers[id] else { continue }
            victim.wait(timeout: 30) { !$0.events("committed").isEmpty }
            Thread.sleep(forTimeInterval: Double.random(in: 0...1.5, using: &random))
            guard victim.isRunning else { continue }
            victim.kill()
            kills += 1
            retired.append(victim)
            if Int.random(in: 0..<5, using: &random) == 0 { Thread.sleep(forTimeInterval: 7) }
            switch Int.random(in: 0..<4, using: &random) {
            case 0: workers[id] = try spawn(id)
            case 1: workers[id] = try spawn(id, commitPreparedCrash: Int.random(in: 1...2, using: &random))
            default:
                let phase = phases[Int.random(in: 0..<phases.count, using: &random)]
                workers[id] = try spawn(id, crashAt: "\(phase):\(Int.random(in: 1...3, using: &random))")
            }
        }
        try replaceCrashed()
        for (id, worker) in workers where isArmed(worker) {
            worker.wait(timeout: 20) { !$0.isRunning }
            if !worker.isRunning, worker.output.contains("CRASH at") {
                selfCrashes += 1
                if worker.output.contains("CRASH at commit-prepared") { commitPreparedCrashes += 1 }
            }
            worker.kill()
            retired.append(worker)
            workers[id] = try spawn(id)
        }
        try PurchaseJob.produceEndMarkers(to: input, with: producer)
        let expected = PurchaseTotalsToPostgres.expectedRows(count: produced)

        let seen = try waitForRows(expected.count, in: table, of: postgres, timeout: 240)
        for worker in workers.values {
            XCTAssertEqual(worker.terminate(), 0, "worker \(worker.spec.workerID) did not stop gracefully:\n\(worker.indentedOutput())")
        }
        let rows = try rows(of: table, in: postgres)
        let prepared = try postgres.preparedTransactions()
        let all = retired + Array(workers.values)
        let restores = all.reduce(0) { $0 + $1.events("restored").count }
        let checkpoints = all.reduce(0) { $0 + $1.events("committed").count }
        let recovered = all.reduce(0) { $0 + $1.output.components(separatedBy: "committed the prepared transaction").count - 1 }
        print("""
            [\(name)] \(produced) records, \(kills) SIGKILLs at random moments, \(selfCrashes) self-crashes inside checkpoints \
            (\(commitPreparedCrashes) between the Kafka commit and COMMIT PREPARED), \(incarnations) worker processes started
            [\(name)] \(checkpoints) checkpoints committed, \(restores) task restores, \(recovered) prepared transactions \
            committed by a recovery
            [\(name)] table: \(rows.count) rows (\(seen) when all arrived), expected \(expected.count); prepared left: \(prepared.count)
            """)
        XCTAssertGreaterThanOrEqual(kills + selfCrashes, 10, "at least ten crashes")
        XCTAssertGreaterThan(commitPreparedCrashes, 0, "a worker died between the Kafka commit and COMMIT PREPARED")
        XCTAssertGreaterThan(recovered, 0, "a recovery committed a prepared transaction a committed manifest named")
        XCTAssertEqual(prepared, [], "no prepared transaction left")
        XCTAssertEqual(rows.count, expected.count, "one row per window")
        XCTAssertTrue(rows == expected, "every window's row once, with the right count and sum")
        if rows != expected {
            let extra = Set(rows).subtracting(expected).sorted().prefix(10)
            let missing = Set(expected).subtracting(rows).sorted().prefix(10)
            print("[\(name)] unexpected rows: \(Array(extra))\n[\(name)] missing rows: \(Array(missing))")
            for worker in all { print(worker.indentedOutput(limit: 80)) }
        }
    }
}
