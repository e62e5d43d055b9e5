import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stops a job gracefully on SIGINT and SIGTERM: the job finishes its round, flushes its
/// sinks, commits and leaves the group, as a Kafka Streams or Flink job does on shutdown.
///
/// Keep the value alive while the job runs; the handlers are removed when it is released.
public final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]

    /// Routes SIGINT and SIGTERM to `stop` instead of ending the process.
    public init(stopping stop: StopSignal, signals: [Int32] = [SIGINT, SIGTERM]) {
        sources = signals.map { number in
            // The default action would kill the process before the final commit.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.stop() }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
