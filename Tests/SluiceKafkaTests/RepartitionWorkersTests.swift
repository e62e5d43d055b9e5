import BrokerRig
import Foundation
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// The keyed window job of ``RepartitionTests`` in two worker processes of one consumer
/// group (Tansu): the group splits input and repartition partitions between them, and
/// together they write exactly the expected windows.
///
/// Both workers own partitions before any input is written: keyed state is not checkpointed
/// yet (at-least-once), so a rebalance in the middle of a window would lose that window's state
/// on the worker giving the partition away. Moving state with its partition is the work of
/// exactly-once checkpoints, not of this test.
final class RepartitionWorkersTests: KafkaJobTestCase {
    /// What a worker process reads from its environment.
    enum WorkerEnvironment {
        /// `bootstrap`, input topic, output topic and job name, tab-separated.
        static let job = "SLUICE_KEYED_WINDOW_WORKER"
        /// A directory for the worker's assignment file (`<id>.assigned`) and the parent's `stop` file.
        static let directory = "SLUICE_KEYED_WINDOW_WORKER_DIR"
        static let id = "SLUICE_KEYED_WINDOW_WORKER_ID"
    }

    func testTwoWorkerProcessesSplitPartitionsAndProduceTheSameResults() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("clicks"), output = uniqueName("counts"), jobName = uniqueName("click-counts")
        try admin.createTopic(input, partitions: RepartitionTests.inputPartitions)
        try admin.createTopic(output, partitions: 1)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("workers"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let workers = try (0..<2).map { id in
            try spawnWorker(id: id, job: [broker.bootstrap, input, output, jobName].joined(separator: "\t"), directory: directory)
        }
        defer { for worker in workers where worker.process.isRunning { worker.process.terminate() } }

        // Every partition (input and repartition) owned by exactly one worker, each owning some.
        let all = Set((0..<RepartitionTests.inputPartitions).flatMap { partition in
            [Split(topic: input, partition: partition), Split(topic: "\(jobName)-1-repartition", partition: partition)]
        })
        let deadline = ContinuousClock.now + .seconds(90)
        var owned: [Set<Split>] = []
        repeat {
            Thread.sleep(forTimeInterval: 0.2)
            owned = (0..<2).map { Self.readAssignment(directory.appendingPathComponent("\($0).assigned")) }
        } while !(owned.allSatisfy { !$0.isEmpty } && owned[0].isDisjoint(with: owned[1]) && owned[0].union(owned[1]) == all)
            && ContinuousClock.now < deadline && workers.allSatisfy(\.process.isRunning)
        XCTAssertTrue(owned.allSatisfy { !$0.isEmpty }, "both workers own partitions: \(owned)")
        XCTAssertEqual(owned.count == 2 ? owned[0].union(owned[1]) : [], all, "together they own every partition once: \(owned)")
        print("[\(name)] worker 0 owns \(owned.first.map { $0.sorted() } ?? []), worker 1 owns \(owned.last.map { $0.sorted() } ?? [])")

        let expected = try RepartitionTests.produceInput(bootstrap: broker.bootstrap, topic: input)
        let results = try readAll(bootstrap: broker.bootstrap, topic: output, count: expected.count, timeout: .seconds(90))
        try Data().write(to: directory.appendingPathComponent("stop"))
        for (id, worker) in workers.enumerated() {
            let text = worker.finish(timeout: 60)
            print("[\(name)] worker \(id):\n" + text.split(separator: "\n").map { "    | \($0)" }.joined(separator: "\n"))
            XCTAssertEqual(worker.process.isRunning ? -1 : worker.process.terminationStatus, 0, "worker \(id) failed")
            XCTAssertTrue(text.contains("Executed 1 test, with 0 failures"), "worker \(id) did not run its job")
        }

        let lines = results.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
            .filter { !$0.hasPrefix(RepartitionTests.endMarker) }.sorted()
        XCTAssertEqual(lines, expected, "exactly the expected windows, none missing, extra or doubled")
    }

    /// The body of a worker process that the two-worker test spawns (this test binary run
    /// again with only this test selected): runs the job until the parent writes the `stop`
    /// file, recording the worker's assignment as it changes. In a normal test run the worker
    /// environment is absent and it returns at once.
    func testWorkerProcessBody() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let spec = environment[WorkerEnvironment.job], let path = environment[WorkerEnvironment.directory],
              let id = environment[WorkerEnvironment.id] else { return }
        let fields = spec.split(separator: "\t").map(String.init)
        XCTAssertEqual(fields.count, 4, "worker spec: bootstrap, input, output, job")
        let directory = URL(fileURLWithPath: path)
        let assignmentFile = directory.appendingPathComponent("\(id).assigned")
        let env = try RepartitionTests.buildJob(
            bootstrap: fields[0], input: fields[1], output: fields[2], jobName: fields[3], workerID: "w\(id)",
            assignmentObserver: { owned in
                // Replaced in one rename, so the parent never reads half a list.
                let text = owned.sorted().map { "\($0.topic)\t\($0.partition)\n" }.joined()
                try? Data(text.utf8).write(to: assignmentFile, options: .atomic)
            })
        let running = start(try env.build())
        let stop = directory.appendingPathComponent("stop").path
        let deadline = Date().addingTimeInterval(240)
        while !FileManager.default.fileExists(atPath: stop), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        let metrics = try running.stop()
        print("worker \(id): \(metrics.recordsRead) records read in \(metrics.rounds) rounds, \(metrics.commits) commits")
    }

    private struct Worker {
        let process: Process
        let log: URL

        /// Waits for the worker to exit (terminating it after `timeout` s); returns its output.
        func finish(timeout: TimeInterval) -> String {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            return (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        }
    }

    /// Runs ``testWorkerProcessBody()`` in a child process of this test binary, which already
    /// runs on librdkafka 2.16, so the child inherits its library path.
    private func spawnWorker(id: Int, job: String, directory: URL) throws -> Worker {
        let log = directory.appendingPathComponent("worker-\(id).log")
        try Data().write(to: log)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["\(String(reflecting: Self.self))/testWorkerProcessBody"]
        var environment = ProcessInfo.processInfo.environment
        environment[WorkerEnvironment.job] = job
        environment[WorkerEnvironment.directory] = directory.path
        environment[WorkerEnvironment.id] = String(id)
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return Worker(process: process, log: log)
    }

    /// The splits listed in an assignment file, one `topic <tab> partition` a line.
    private static func readAssignment(_ file: URL) -> Set<Split> {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t")
            guard fields.count == 2, let partition = Int32(fields[1]) else { return nil }
            return Split(topic: String(fields[0]), partition: partition)
        })
    }
}
