/// What ``ExactlyOnceTestDriver`` reports when a test uses it wrongly or a worker fails.
public enum ExactlyOnceTestDriverError: Error, CustomStringConvertible {
    /// No running worker has that name.
    case noSuchWorker(String, running: [String])
    /// A worker of that name is running already; crash or stop it first.
    case workerRunning(String)
    /// A worker stopped with an error the test did not inject.
    case workerFailed(worker: String, underlying: any Error)
    /// ``ExactlyOnceTestDriver/settle(maxCycles:)`` still saw work after that many cycles.
    case didNotSettle(cycles: Int)
    /// The driver was closed.
    case closed

    /// One line naming the worker or what is wrong.
    public var description: String {
        switch self {
        case .noSuchWorker(let worker, let running):
            "no running worker is named \(worker); running: \(running.isEmpty ? "none" : running.joined(separator: ", "))"
        case .workerRunning(let worker):
            "worker \(worker) is running already; crash or stop it before starting it again"
        case .workerFailed(let worker, let underlying):
            "worker \(worker) failed: \(underlying)"
        case .didNotSettle(let cycles):
            "the job still read or wrote records after \(cycles) rounds with a checkpoint each"
        case .closed:
            "the driver was closed"
        }
    }
}
