import Foundation

/// A program run in a child process: a test broker, the verifier, a worker of a job. The rig's
/// one way to start, signal, stop and read a child, used by the tests and the demo alike.
///
/// ```swift
/// let worker = try ChildProcess(executable, ["--worker-id", "w1"], output: .log(log))
/// worker.pause()                          // SIGSTOP: frozen, heartbeats included
/// worker.resume()
/// let status = worker.stop(grace: 30)     // SIGTERM, then SIGKILL after 30 s
/// ```
public final class ChildProcess: @unchecked Sendable {
    /// Where the child's standard output and standard error go.
    public enum Output: Sendable {
        /// Both to the file `log` (created anew), written by the child itself, so nothing
        /// written before it ends, however it ends, is late or lost.
        case log(URL)
        /// Both to the file `log` (created anew) through this process, which also hands each
        /// complete line to `onLine` as it arrives, on a thread of its own.
        case logAndLines(URL, onLine: @Sendable (String) -> Void)
        /// Standard output kept as lines for ``nextLine(timeout:)`` and ``readToEnd()``; of
        /// standard error, the last 8 KiB for ``errorTail``.
        case captured
    }

    /// Makes writes to a closed pipe fail with `EPIPE` instead of killing this process.
    private static let ignoreSigpipe: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    private let process = Process()
    private let input: FileHandle?
    private let output: PipeReader?
    private let errors: PipeReader?
    private let copier: PipeReader?

    /// Starts `executable` with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: the child's whole environment; by default this process's.
    ///   - directory: the child's working directory; by default this process's.
    ///   - takesInput: whether the child reads lines from this process (``send(_:)``,
    ///     ``closeInput()``); otherwise its standard input is `/dev/null`.
    ///   - output: where its standard output and error go.
    /// - Throws: when the log file cannot be created or the executable cannot be run.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        takesInput: Bool = false, output: Output
    ) throws {
        Self.ignoreSigpipe
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let inputPipe = takesInput ? Pipe() : nil
        process.standardInput = inputPipe ?? FileHandle.nullDevice
        var childEnds: [FileHandle] = inputPipe.map { [$0.fileHandleForReading] } ?? []
        switch output {
        case .log(let log):
            let file = try Self.create(log)
            process.standardOutput = file
            process.standardError = file
            childEnds.append(file)
            self.output = nil
            errors = nil
            copier = nil
        case .logAndLines(let log, let onLine):
            let file = try Self.create(log)
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            childEnds.append(pipe.fileHandleForWriting)
            copier = PipeReader(pipe.fileHandleForReading, mode: .copy(to: file, onLine: onLine))
            self.output = nil
            errors = nil
        case .captured:
            let outputPipe = Pipe(), errorPipe = Pipe()
            process.standardOutput = outputPipe
            process.standardError = errorPipe
            childEnds += [outputPipe.fileHandleForWriting, errorPipe.fileHandleForWriting]
            self.output = PipeReader(outputPipe.fileHandleForReading, mode: .lines)
            errors = PipeReader(errorPipe.fileHandleForReading, mode: .tail(bytes: 8192))
            copier = nil
        }
        input = inputPipe?.fileHandleForWriting
        // Close this process's copies of the child's ends, so end of file is seen when it exits
        // (or at once, when it cannot be started).
        defer { for handle in childEnds { try? handle.close() } }
        try process.run()
    }

    private static func create(_ log: URL) throws -> FileHandle {
        try Data().write(to: log)
        return try FileHandle(forWritingTo: log)
    }

    /// The child's process id.
    public var pid: Int32 { process.processIdentifier }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { process.isRunning }

    /// The child's exit status, or the signal that ended it; only once it has ended.
    public var terminationStatus: Int32 { process.terminationStatus }

    /// Writes `line` and a newline to the child's standard input (``init`` with `takesInput`).
    public func send(_ line: String) throws {
        try input?.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Closes the child's standard input: it reads end of file.
    public func closeInput() {
        try? input?.close()
    }

    /// The next complete line of standard output (``Output/captured``), or `nil` at end of
    /// file or when `timeout` seconds pass.
    public func nextLine(timeout: Double) -> String? {
        output?.nextLine(timeout: timeout)
    }

    /// Waits for the end of standard output (``Output/captured``) and returns all of it not
    /// handed out as lines yet.
    public func readToEnd() -> String {
        output?.readToEnd() ?? ""
    }

    /// The last 8 KiB of standard error (``Output/captured``), for failure messages.
    public var errorTail: String { errors?.snapshot() ?? "" }

    /// SIGSTOP: the whole child freezes, heartbeats included.
    public func pause() {
        Foundation.kill(process.processIdentifier, SIGSTOP)
    }

    /// SIGCONT after ``pause()``.
    public func resume() {
        Foundation.kill(process.processIdentifier, SIGCONT)
    }

    /// SIGKILL and wait: a crash, with nothing the child could do first.
    public func kill() {
        guard process.isRunning else { return finishOutput() }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        finishOutput()
    }

    /// Waits up to `timeout` seconds for the child to exit; returns whether it did. Once it
    /// has, its output is all in its log.
    @discardableResult
    public func wait(timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning {
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        finishOutput()
        return true
    }

    /// Waits for the child to exit, however long it takes; then its output is all in its log.
    public func waitUntilExit() {
        process.waitUntilExit()
        finishOutput()
    }

    /// SIGTERM, then SIGKILL if the child has not exited after `grace` seconds. Returns its
    /// exit status, or `nil` when it had to be killed.
    @discardableResult
    public func stop(grace: Double) -> Int32? {
        if process.isRunning {
            process.terminate()
            guard wait(timeout: grace) else {
                kill()
                return nil
            }
        }
        finishOutput()
        return process.terminationStatus
    }

    /// Waits until what the child wrote before it exited is copied to its log (a few seconds
    /// at most: a process it started may still hold the pipe).
    private func finishOutput() {
        copier?.waitForEnd(timeout: 5)
    }
}
