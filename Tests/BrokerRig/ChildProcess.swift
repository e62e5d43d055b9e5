import Foundation

/// Helpers for the rig's child processes.
enum ChildProcess {
    /// Makes writes to a closed pipe fail with `EPIPE` instead of killing the test process.
    static let ignoreSigpipe: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// Waits up to `timeout` seconds for `process` to exit; returns whether it did.
    static func wait(_ process: Process, timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning {
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }

    /// Stops `process`: SIGTERM, then SIGKILL if it has not exited after `grace` seconds.
    static func stop(_ process: Process, grace: Double) {
        guard process.isRunning else { return }
        process.terminate()
        if !wait(process, timeout: grace) {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
