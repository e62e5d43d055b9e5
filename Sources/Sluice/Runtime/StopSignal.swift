import Synchronization

/// Asks a running job to stop gracefully; safe to use from any thread, such as a signal
/// handler's. The job finishes its current round, flushes its sinks, commits and leaves.
public final class StopSignal: Sendable {
    private let requested = Atomic<Bool>(false)

    /// A signal not requested yet.
    public init() {}

    /// Requests the stop; the job sees it after its current round. Calling it again does nothing.
    public func stop() {
        requested.store(true, ordering: .releasing)
    }

    /// Whether ``stop()`` has been called.
    public var isRequested: Bool { requested.load(ordering: .acquiring) }
}
