import BrokerRig
import Foundation
import KafkaTestJobs

/// A worker of the purchase totals job into PostgreSQL in a child process:
/// `sluice-postgres-test-worker` (built next to this test bundle) running its ``WorkerSpec``,
/// its output in a log file. The child inherits this process's library path, so it runs on the
/// same librdkafka.
final class PostgresWorkerProcess: @unchecked Sendable {
    let spec: WorkerSpec
    let log: URL
    private let child: ChildProcess

    /// Starts a worker running `spec`, its output in `<directory>/<worker id>-<incarnation>.log`.
    init(spec: WorkerSpec, directory: URL, incarnation: Int) throws {
        self.spec = spec
        log = directory.appendingPathComponent("\(spec.workerID)-\(incarnation).log")
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("sluice-postgres-test-worker")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BrokerRigError.setupMissing("\(executable.path) is missing: build with `swift build --build-tests`")
        }
        child = try ChildProcess(
            executable.path, [String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)], output: .log(log))
    }

    var isRunning: Bool { child.isRunning }

    /// The exit status, once it ended.
    var terminationStatus: Int32 { child.terminationStatus }

    /// SIGKILL, as a crash: no checkpoint, no leave, transactions left open or prepared.
    func kill() {
        child.kill()
    }

    /// SIGTERM, then waits up to `timeout` s for a graceful exit (final checkpoint, leave);
    /// SIGKILL after that. Returns the exit status, or `nil` when it had to be killed.
    @discardableResult
    func terminate(timeout: TimeInterval = 60) -> Int32? {
        child.stop(grace: timeout)
    }

    /// Waits until the process ends or `timeout` s pass; returns whether it ended.
    @discardableResult
    func waitForExit(timeout: TimeInterval) -> Bool {
        child.wait(timeout: timeout)
    }

    /// The worker's output so far.
    var output: String {
        (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }

    /// Lines the worker body printed for an event, `EVENT <name> …`.
    func events(_ name: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix("EVENT \(name)") }.map(String.init)
    }

    /// Waits until `condition` holds for the output, the process exits, or `timeout` passes.
    @discardableResult
    func wait(timeout: TimeInterval, until condition: (PostgresWorkerProcess) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(self) { return true }
            if !child.isRunning { return condition(self) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition(self)
    }

    /// The output, each line prefixed, for a test log.
    func indentedOutput(limit: Int = 60) -> String {
        output.split(separator: "\n", omittingEmptySubsequences: false).suffix(limit).map { "    | \($0)" }.joined(separator: "\n")
    }
}
