import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import XCTest

/// The file sink exactly once under real crashes, on Tansu: the keyed window job of
/// ``ExactlyOnceCrashTests`` writing its results into part files (``PurchaseJob``'s
/// `buildIntoFiles`, part files rolled every 4 KiB), run by two worker processes killed with
/// SIGKILL at random moments and restarted, some restarts armed to kill themselves inside a
/// checkpoint, among them right after the Kafka transaction committed and before the part files
/// were renamed. Afterwards the visible part files hold every window result exactly once, with
/// the count and sum computed here from the input, and no hidden (in-progress or pending) part
/// file is left.
final class FileSinkCrashTests: KafkaJobTestCase {
    static let recordCount = 60_000

    func testKeyedWindowJobIntoFilesSurvivesRepeatedKillsExactlyOnce() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("purchases"), job = uniqueName("files-crash")
        try admin.createTopic(input, partitions: PurchaseJob.partitions)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("file-sink"))
        let output = root.appendingPathComponent("totals"), logs = root.appendingPathComponent("logs")
        for directory in [output, logs] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(at: root) }
        var random = SystemRandomNumberGenerator()

        var incarnations = 0
        func spawn(_ id: String, crashAt: String? = nil) throws -> WorkerProcess {
            incarnations += 1
            let spec = WorkerSpec(
                bootstrap: broker.bootstrap, input: input, output: "", job: job, workerID: id, crashAt: crashAt,
                parameters: ["directory": output.path], pipeline: .purchaseTotalsToFiles)
            return try WorkerProcess(spec: spec, directory: logs, incarnation: incarnations)
        }
        var workers: [String: WorkerProcess] = ["w0": try spawn("w0"), "w1": try spawn("w1")]
        var retired: [WorkerProcess] = []
        defer { for worker in workers.values { worker.kill() } }

        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        var produced = 0
        func produce(_ count: Int) throws {
            let end = min(Self.recordCount, produced + count)
            try PurchaseJob.produce(produced..<end, to: input, with: producer)
            produced = end
        }

        var kills = 0, selfCrashes = 0, restarts = 0
        // Part files a crash right after the commit left staged: what recovery had to rename.
        var stagedAtCommitCrashes = 0
        let phases = ["pieces", "manifests", "committed"]
        func retire(_ id: String, _ worker: WorkerProcess) {
            if worker.output.contains("CRASH at staged") {
                stagedAtCommitCrashes += stagedFiles(of: worker)
            }
            retired.append(worker)
        }
        func replaceCrashed() throws {
            for (id, worker) in workers where !worker.isRunning {
                XCTAssertTrue(worker.output.contains("CRASH at"), "worker \(id) exited without being told to:\n\(worker.indentedOutput())")
                selfCrashes += 1
                retire(id, worker)
                workers[id] = try spawn(id)
            }
        }
        // Until a crash after a commit has left staged part files (bounded: every armed restart
        // aims there until one has), at least twelve crashes, and the whole input.
        while kills + selfCrashes < 12 || produced < Self.recordCount || (stagedAtCommitCrashes == 0 && restarts < 40) {
            try produce(Self.recordCount / 16)
            try replaceCrashed()
            let id = Bool.random(using: &random) ? "w0" : "w1"
            guard let victim = workers[id] else { continue }
            victim.wait(timeout: 30) { !$0.events("committed").isEmpty }
            Thread.sleep(forTimeInterval: Double.random(in: 0...1.5, using: &random))
            guard victim.isRunning else { continue }
            victim.kill()
            kills += 1
            retire(id, victim)
            if Int.random(in: 0..<5, using: &random) == 0 { Thread.sleep(forTimeInterval: 7) }
            // Every other restart is armed; the first three of those, every one until a crash
            // has left staged part files, and a third of the rest, right after a commit that
            // staged part files, before their renames.
            restarts += 1
            let armed: String? = if restarts % 2 == 1 {
                restarts < 6 || stagedAtCommitCrashes == 0 || Int.random(in: 0..<3, using: &random) == 0
                    ? "staged:\(Int.random(in: 1...2, using: &random))"
                    : "\(phases[Int.random(in: 0..<3, using: &random)]):\(Int.random(in: 1...3, using: &random))"
            } else {
                nil
            }
            workers[id] = try spawn(id, crashAt: armed)
        }
        try replaceCrashed()
        for (id, worker) in workers where worker.spec.crashAt != nil {
            worker.wait(timeout: 20) { !$0.isRunning }
            if !worker.isRunning, worker.output.contains("CRASH at") { selfCrashes += 1 }
            worker.kill()
            retire(id, worker)
            workers[id] = try spawn(id)
        }
        try PurchaseJob.produceEndMarkers(to: input, with: producer)
        let expected = PurchaseJob.expectedResults(count: produced)

        let deadline = ContinuousClock.now + .seconds(240)
        while try results(in: output).count < expected.count, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.5)
        }
        for worker in workers.values {
            XCTAssertEqual(worker.terminate(), 0, "worker \(worker.spec.workerID) did not stop gracefully:\n\(worker.indentedOutput())")
        }
        let lines = try results(in: output).sorted()
        let hidden = try files(in: output).filter { $0.split(separator: "/").last?.hasPrefix(".") == true }
        let all = retired + Array(workers.values)
        print("""
            [\(name)] \(produced) records, \(kills) SIGKILLs at random moments, \(selfCrashes) self-crashes inside \
            checkpoints (\(all.filter { $0.output.contains("CRASH at staged") }.count) right after a commit that staged part files, leaving \
            \(stagedAtCommitCrashes) staged part files), \(incarnations) worker processes started
            [\(name)] \(all.reduce(0) { $0 + $1.events("committed").count }) checkpoints committed, \
            \(all.reduce(0) { $0 + $1.events("restored").count }) task restores; \(try files(in: output).count) part files, \
            \(lines.count) results
            """)
        XCTAssertGreaterThanOrEqual(kills + selfCrashes, 12, "at least twelve crashes")
        XCTAssertGreaterThan(stagedAtCommitCrashes, 0, "some crash struck between the commit and the renames of staged part files")
        XCTAssertEqual(hidden, [], "no in-progress or pending part file is left")
        XCTAssertEqual(lines.count, expected.count, "as many results as windows")
        XCTAssertTrue(lines == expected, "every window result exactly once, with the right count and sum")
        if lines != expected {
            print("[\(name)] \(ResultDiff(lines: lines, expected: expected, keyFields: 2))")
            for worker in all { print(worker.indentedOutput(limit: 40)) }
        }
    }

    /// Every file under `directory`, by relative path, hidden ones included.
    private func files(in directory: URL) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
    }

    /// The results in the visible part files, end markers left out.
    private func results(in directory: URL) throws -> [String] {
        var lines: [String] = []
        for file in try files(in: directory) where file.split(separator: "/").last?.hasPrefix("part-") == true {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            lines += text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(PurchaseJob.endMarker) }
        }
        return lines
    }

    /// The part files `worker` had staged, named in the committed manifests and not renamed,
    /// when it crashed right after a commit: its own `STAGED` line, printed at that moment,
    /// since another worker may take the tasks over and rename the files before the test looks.
    private func stagedFiles(of worker: WorkerProcess) -> Int {
        guard let line = worker.output.split(separator: "\n").last(where: { $0.hasPrefix("STAGED ") }) else { return 0 }
        return line.split(separator: " ").count - 1
    }
}
