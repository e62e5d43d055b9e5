import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// Exactly-once under real crashes, on Tansu: a keyed window job with a repartition stage,
/// run by two worker processes, killed with SIGKILL at random moments and inside checkpoints
/// (after the snapshot pieces were staged, after the manifests were written, right after a
/// commit) and restarted, while its input arrives. Its output, read as a read_committed
/// consumer would (the raw-batch audit, since Tansu does not filter aborted records), must hold
/// every window result exactly once with the right count and sum, computed here from the input.
///
/// What no broker here can prove: that a zombie's transactional offset commit is refused for
/// its stale group generation (KIP-447); here a killed worker is dead, not a zombie (see
/// ``ExactlyOnceZombieTests``).
final class ExactlyOnceCrashTests: KafkaJobTestCase {
    static let recordCount = 100_000

    func testKeyedWindowJobSurvivesRepeatedKillsExactlyOnce() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("purchases"), output = uniqueName("totals"), job = uniqueName("crash-job")
        try admin.createTopic(input, partitions: PurchaseJob.partitions)
        try admin.createTopic(output, partitions: 2)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("crash"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SystemRandomNumberGenerator()

        var incarnations = 0
        func spawn(_ id: String, crashAt: String? = nil) throws -> WorkerProcess {
            incarnations += 1
            let spec = WorkerSpec(bootstrap: broker.bootstrap, input: input, output: output, job: job, workerID: id, crashAt: crashAt)
            return try WorkerProcess(spec: spec, directory: directory, incarnation: incarnations)
        }
        var workers: [String: WorkerProcess] = ["w0": try spawn("w0"), "w1": try spawn("w1")]
        var retired: [WorkerProcess] = []
        defer { for worker in workers.values { worker.kill() } }

        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        var produced = 0
        // The test goes on past recordCount (up to twice as many records) until the crashes have
        // left an aborted transaction in the repartition topic: which worker owns the upstream
        // tasks at a kill is up to the group, and that is the case the job must skip.
        var target = Self.recordCount
        func produce(_ count: Int) throws {
            let end = min(target, produced + count)
            try PurchaseJob.produce(produced..<end, to: input, with: producer)
            produced = end
        }

        // Kill at random moments once a worker made progress, and arm some restarts to crash
        // themselves inside a checkpoint.
        var kills = 0, selfCrashes = 0, scaleDowns = 0
        let phases = ["pieces", "manifests", "committed"]
        var iteration = 0
        func replaceCrashed() throws {
            for (id, worker) in workers where !worker.isRunning {
                XCTAssertTrue(worker.output.contains("CRASH at"), "worker \(id) exited without being told to:\n\(worker.indentedOutput())")
                selfCrashes += 1
                retired.append(worker)
                workers[id] = try spawn(id)
            }
        }
        func repartitionAborts() throws -> Int {
            try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: "\(job)-1-repartition", view: .now)
                .stats?.transactions.aborted ?? 0
        }
        while true {
            if kills + selfCrashes >= 12, produced >= target {
                guard target < 2 * Self.recordCount, try repartitionAborts() == 0 else { break }
                target += Self.recordCount / 8
            }
            iteration += 1
            try produce(Self.recordCount / 16)
            try replaceCrashed()
            if iteration % 5 == 0, let w1 = workers["w1"], w1.spec.crashAt == nil {
                // Scale down to one worker for a while: w1 checkpoints and leaves, w0 takes over.
                // Only once the group is settled (both committed since their last rebalance):
                // Tansu 0.6 keeps a group whose leader left in the middle of a rebalance waiting
                // for that leader for good (no member is assigned anything again), which a Kafka
                // broker does not do; a leave during a restarted worker's join hit that in CI.
                for worker in workers.values where worker.isRunning {
                    worker.wait(timeout: 30) { $0.committedSinceLastRebalance }
                }
                XCTAssertEqual(w1.terminate(), 0, "w1 did not stop gracefully:\n\(w1.indentedOutput())")
                retired.append(w1)
                scaleDowns += 1
                try produce(Self.recordCount / 16)
                Thread.sleep(forTimeInterval: 3)
                workers["w1"] = try spawn("w1")
                continue
            }
            let id = Bool.random(using: &random) ? "w0" : "w1"
            guard let victim = workers[id] else { continue }
            // Let it join and commit something first (or crash itself as armed), then strike.
            victim.wait(timeout: 30) { !$0.events("committed").isEmpty }
            Thread.sleep(forTimeInterval: Double.random(in: 0...1.5, using: &random))
            guard victim.isRunning else { continue }
            victim.kill()
            kills += 1
            retired.append(victim)
            // Sometimes stay down longer than the session timeout, so the other worker takes the
            // partitions over and restores their state; otherwise come back at once.
            if Int.random(in: 0..<5, using: &random) == 0 { Thread.sleep(forTimeInterval: 7) }
            let armed = Bool.random(using: &random)
                ? "\(phases[Int.random(in: 0..<phases.count, using: &random)]):\(Int.random(in: 1...3, using: &random))" : nil
            workers[id] = try spawn(id, crashAt: armed)
        }
        // Unarmed workers finish the job; end markers move every partition's watermark past the
        // last window.
        try replaceCrashed()
        for (id, worker) in workers where worker.spec.crashAt != nil {
            worker.wait(timeout: 20) { !$0.isRunning }
            if !worker.isRunning, worker.output.contains("CRASH at") { selfCrashes += 1 }
            worker.kill()
            retired.append(worker)
            workers[id] = try spawn(id)
        }
        try PurchaseJob.produceEndMarkers(to: input, with: producer)
        let expected = PurchaseJob.expectedResults(count: produced)

        let report = try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: output, view: .now,
                                        expect: expected.count, timeout: 240)
        for worker in workers.values {
            XCTAssertEqual(worker.terminate(), 0, "worker \(worker.spec.workerID) did not stop gracefully:\n\(worker.indentedOutput())")
        }
        let final = try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: output, view: .now)
        let repartition = try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: "\(job)-1-repartition", view: .now)
        let all = retired + Array(workers.values)
        let restores = all.reduce(0) { $0 + $1.events("restored").count }
        let aborts = all.reduce(0) { $0 + $1.events("aborted").count }
        let checkpoints = all.reduce(0) { $0 + $1.events("committed").count }
        let lines = final.records.compactMap(\.valueString).filter { !$0.hasPrefix(PurchaseJob.endMarker) }.sorted()
        print("""
            [\(name)] \(produced) records, \(kills) SIGKILLs at random moments, \(selfCrashes) self-crashes inside \
            checkpoints, \(scaleDowns) scale-downs to one worker, \(incarnations) worker processes started
            [\(name)] \(checkpoints) checkpoints committed, \(restores) task restores, \(aborts) transactions aborted in-process
            [\(name)] output: \(lines.count) results; transactions \(final.stats.map { "\($0.transactions)" } ?? "?")
            [\(name)] repartition topic: transactions \(repartition.stats.map { "\($0.transactions)" } ?? "?"), \
            records \(repartition.stats.map { "\($0.records)" } ?? "?")
            """)
        XCTAssertGreaterThanOrEqual(kills + selfCrashes, 10, "at least ten crashes")
        XCTAssertGreaterThan(selfCrashes, 0, "some crashes inside checkpoints")
        XCTAssertGreaterThan(repartition.stats?.transactions.aborted ?? 0, 0,
                             "the crashes left aborted transactions in the repartition topic, which the job had to skip")
        XCTAssertEqual(report.records.count, final.records.count, "nothing more appeared after the graceful stop")
        XCTAssertEqual(lines.count, expected.count, "as many results as windows")
        XCTAssertTrue(lines == expected, "every window result exactly once, with the right count and sum")
        if lines != expected {
            print("[\(name)] \(ResultDiff(lines: lines, expected: expected, keyFields: 2))")
            for worker in all { print(worker.indentedOutput(limit: 80)) }
        }
    }
}
