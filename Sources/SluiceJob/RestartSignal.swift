import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGUSR1 while a run goes on: stop for a restart. Like SIGTERM, the workers finish their
/// round and make a final checkpoint; unlike SIGTERM, static members keep their place in the
/// group for the session timeout instead of leaving, so workers restarted with the same
/// `--worker-id` take their partitions back without a rebalance.
///
/// SIGTERM and SIGINT keep meaning a stop that hands the partitions over at once (a
/// scale-down, a job stopped for good): that is what an operator who did not choose otherwise
/// gets, and it never leaves partitions unread for a session timeout. An orchestrator that
/// restarts workers in place can be told to send SIGUSR1 instead (a container's stop signal,
/// systemd's `KillSignal=`).
final class RestartSignal {
    /// The signal.
    static let number = SIGUSR1

    private let source: DispatchSourceSignal
    /// The handler, dropped by ``cancel()`` at once: Dispatch releases a cancelled source's
    /// handler only when it gets to it, and the handler holds the run's workers (their Kafka
    /// clients), which must end with the run.
    private let handler: Handler

    /// Calls `handler` on a Dispatch queue each time the signal arrives, until ``cancel()``.
    init(handler: @escaping @Sendable () -> Void) {
        let current = Handler(handler)
        self.handler = current
        // Dispatch's signal source sees the signal; its default action would end the process
        // first on a thread that has not blocked it.
        signal(Self.number, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: Self.number, queue: .global())
        source.setEventHandler { current.call.withLock { $0 }?() }
        source.resume()
    }

    /// Stops listening; the signal's default action (ending the process) applies again.
    func cancel() {
        handler.call.withLock { $0 = nil }
        source.cancel()
        signal(Self.number, SIG_DFL)
    }

    private final class Handler: Sendable {
        let call: Mutex<(@Sendable () -> Void)?>

        init(_ call: @escaping @Sendable () -> Void) {
            self.call = Mutex(call)
        }
    }
}
