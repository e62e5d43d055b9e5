import Foundation
import Synchronization

/// A worker of the demo's job in a process of its own (`sluice demo-worker`), whose `EVENT`
/// lines are handed to `onEvent` as they arrive.
final class DemoWorkerProcess: @unchecked Sendable {
    let id: String
    private let process: Process
    private let reader: Thread

    /// Starts the worker; every line it writes also goes to `log`.
    init(id: String, bootstrap: String, log: URL, onEvent: @escaping @Sendable (String, String) -> Void) throws {
        self.id = id
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["demo-worker", "--bootstrap", bootstrap, "--worker-id", id]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
        let handle = output.fileHandleForReading
        reader = Thread { [id] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                logHandle.write(chunk)
                pending += chunk
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending = Data(pending[(newline + 1)...])
                    if line.hasPrefix("EVENT ") { onEvent(id, String(line.dropFirst(6))) }
                }
            }
        }
        reader.start()
    }

    var isRunning: Bool { process.isRunning }

    /// SIGKILL: a crash, with no checkpoint, no leave, and its transaction left open.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait: the worker finishes its round, checkpoints and leaves the group.
    /// Returns its exit status (`nil` when it had to be killed after `timeout` s).
    @discardableResult
    func stop(timeout: TimeInterval = 30) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        guard !process.isRunning else {
            kill()
            return nil
        }
        return process.terminationStatus
    }
}
