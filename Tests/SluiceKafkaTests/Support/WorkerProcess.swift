import Foundation
import XCTest

/// A worker of a job in a child process: this test binary run again with one test method
/// selected (the worker body), its specification in the environment, its output in a log file.
/// The child inherits this process's library path, so it runs on the same librdkafka.
final class WorkerProcess: @unchecked Sendable {
    /// The environment variable carrying the worker's ``WorkerSpec`` as JSON.
    static let specVariable = "SLUICE_TEST_WORKER_SPEC"

    let spec: WorkerSpec
    let log: URL
    private let process: Process

    /// Starts `selector` (`Module.Class/testMethod`) in a child process with `spec`.
    init(selector: String, spec: WorkerSpec, directory: URL, incarnation: Int) throws {
        self.spec = spec
        log = directory.appendingPathComponent("\(spec.workerID)-\(incarnation).log")
        try Data().write(to: log)
        let handle = try FileHandle(forWritingTo: log)
        process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = [selector]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.specVariable] = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    /// SIGKILL, as a crash: no checkpoint, no leave, the transaction left open.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGSTOP: the whole process freezes, heartbeats included.
    func pause() {
        Foundation.kill(process.processIdentifier, SIGSTOP)
    }

    /// SIGCONT after ``pause()``.
    func resume() {
        Foundation.kill(process.processIdentifier, SIGCONT)
    }

    /// SIGTERM, then waits up to `timeout` s for a graceful exit (final checkpoint, leave);
    /// SIGKILL after that. Returns the exit status, or `nil` when it had to be killed.
    @discardableResult
    func terminate(timeout: TimeInterval = 60) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        guard !process.isRunning else {
            kill()
            return nil
        }
        return process.terminationStatus
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
    func wait(timeout: TimeInterval, until condition: (WorkerProcess) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(self) { return true }
            if !process.isRunning { return condition(self) }
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

/// What a worker child process runs.
struct WorkerSpec: Codable, Sendable {
    var bootstrap: String
    var input: String
    var output: String
    var job: String
    var workerID: String
    /// `<event>:<n>`: the worker SIGKILLs itself at the n-th event of that name
    /// (`pieces`, `manifests`, `committed`), to crash inside a checkpoint.
    var crashAt: String?
    var checkpointIntervalMillis: Int = 300
    /// Free-form parameters of the job.
    var parameters: [String: String] = [:]

    /// The spec of the current process, when it is a worker; a spec that does not decode is an
    /// error, not a silent return of the worker body.
    static func current() throws -> WorkerSpec? {
        guard let json = ProcessInfo.processInfo.environment[WorkerProcess.specVariable] else { return nil }
        return try JSONDecoder().decode(WorkerSpec.self, from: Data(json.utf8))
    }
}
