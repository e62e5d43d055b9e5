import Foundation
import Synchronization

/// An example executable (built next to the test bundle) run as a user runs it: its arguments,
/// its environment, its standard output and error, its exit status.
final class ExampleProcess: @unchecked Sendable {
    /// How a run ended.
    struct Outcome {
        var status: Int32
        /// Whether it exited (rather than died of a signal).
        var exited: Bool
        var stdout: String
        var stderr: String
        var duration: Duration

        /// Standard error's lines, empty ones left out.
        var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
        /// Standard output's lines, empty ones left out.
        var outputLines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    let name: String
    private let process = Process()
    private let output = Buffer()
    private let errors = Buffer()
    private let drained = DispatchGroup()
    private let started = ContinuousClock.now

    /// The path of example `name` in the build's products directory.
    static func path(_ name: String) throws -> URL {
        let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw JobTestError("\(url.path) is missing: build with `swift build --build-tests`")
        }
        return url
    }

    /// Starts example `name` with `arguments`; `environment` is added to this process's.
    init(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        self.name = name
        process.executableURL = try Self.path(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for (pipe, buffer) in [(out, output), (err, errors)] {
            let handle = pipe.fileHandleForReading
            DispatchQueue.global().async(group: drained) {
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    buffer.append(chunk)
                }
            }
        }
    }

    /// Bytes read from one of the child's pipes.
    private final class Buffer: Sendable {
        private let data = Mutex(Data())
        func append(_ chunk: Data) { data.withLock { $0.append(chunk) } }
        var text: String { String(decoding: data.withLock { $0 }, as: UTF8.self) }
    }

    /// Standard output so far.
    var stdoutSoFar: String { output.text }

    /// Sends `signal` to the process, unless it has ended.
    func send(_ signal: Int32) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to end; kills it and throws when it takes longer than `timeout`.
    func wait(timeout: Duration = .seconds(120)) throws -> Outcome {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning {
            process.terminate()
            Thread.sleep(forTimeInterval: 2)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            drained.wait()
            throw JobTestError(
                "\(name) did not end within \(timeout); stdout:\n\(stdoutSoFar)\nstderr:\n\(errors.text)")
        }
        process.waitUntilExit()
        drained.wait()
        return Outcome(
            status: process.terminationStatus, exited: process.terminationReason == .exit,
            stdout: stdoutSoFar, stderr: errors.text,
            duration: ContinuousClock.now - started)
    }

    /// Runs example `name` to its end.
    static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(120)
    ) throws -> Outcome {
        try ExampleProcess(name, arguments, environment: environment).wait(timeout: timeout)
    }
}
