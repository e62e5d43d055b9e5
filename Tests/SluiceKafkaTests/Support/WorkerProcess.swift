import BrokerRig
import Foundation
import KafkaTestJobs

/// A worker of a job in a child process: `sluice-test-worker` (built next to this test bundle)
/// running its ``WorkerSpec``, its output in a log file. The child inherits this process's
/// library path, so it runs on the same librdkafka.
final class WorkerProcess: @unchecked Sendable {
    let spec: WorkerSpec
    let log: URL
    private let child: ChildProcess

    /// Starts a worker running `spec`, its output in `<directory>/<worker id>-<incarnation>.log`.
    init(spec: WorkerSpec, directory: URL, incarnation: Int) throws {
        self.spec = spec
        log = directory.appendingPathComponent("\(spec.workerID)-\(incarnation).log")
        child = try ChildProcess(
            try ExampleProcess.path("sluice-test-worker").path, [String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)],
            output: .log(log))
    }

    var isRunning: Bool { child.isRunning }
    var pid: Int32 { child.pid }

    /// SIGKILL, as a crash: no checkpoint, no leave, the transaction left open.
    func kill() {
        child.kill()
    }

    /// SIGSTOP: the whole process freezes, heartbeats included.
    func pause() {
        child.pause()
    }

    /// Asks the worker to freeze itself (SIGUSR2): it SIGSTOPs itself at the next moment it is not
    /// inside a checkpoint's commit call, where no check of the worker's can stop a commit on the
    /// test brokers. Returns once the process is stopped, or `false` after `timeout` s.
    func pauseOutsideCommit(timeout: TimeInterval = 10) -> Bool {
        Foundation.kill(pid, SIGUSR2)
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
               let state = stat.split(separator: ")").last?.split(separator: " ").first, state == "T"
            {
                return true
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return false
    }

    /// SIGCONT after ``pause()`` or ``pauseOutsideCommit(timeout:)``.
    func resume() {
        child.resume()
    }

    /// SIGTERM, then waits up to `timeout` s for a graceful exit (final checkpoint, leave);
    /// SIGKILL after that. Returns the exit status, or `nil` when it had to be killed.
    @discardableResult
    func terminate(timeout: TimeInterval = 60) -> Int32? {
        child.stop(grace: timeout)
    }

    /// The worker's output so far.
    var output: String {
        (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }

    /// Lines the worker body printed for an event, `EVENT <name> …`.
    func events(_ name: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix("EVENT \(name)") }.map(String.init)
    }

    /// Whether the worker committed a checkpoint since the group last changed its assignment:
    /// its latest rebalance is behind it.
    var committedSinceLastRebalance: Bool {
        let lines = output.split(separator: "\n")
        guard let committed = lines.lastIndex(where: { $0.hasPrefix("EVENT committed") }) else { return false }
        guard let rebalance = lines.lastIndex(where: { $0.hasPrefix("EVENT rebalance") }) else { return true }
        return committed > rebalance
    }

    /// Waits until `condition` holds for the output, the process exits, or `timeout` passes.
    @discardableResult
    func wait(timeout: TimeInterval, until condition: (WorkerProcess) -> Bool) -> Bool {
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
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).suffix(limit)
        return lines.map { "    | \($0)" }.joined(separator: "\n")
    }
}
