import Dispatch
import Sluice
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM stop every worker of the run gracefully (finish the round, final
/// checkpoint, leave the group) instead of ending the process; ``restore()`` gives both signals
/// their default action back once the run ended.
final class JobSignals {
    private static let numbers: [Int32] = [SIGINT, SIGTERM]
    private var sources: [any DispatchSourceSignal]

    /// Routes SIGINT and SIGTERM to every signal of `stops`; `announce` is told of the first.
    init(stopping stops: [StopSignal], announce: @escaping @Sendable (Int32) -> Void) {
        sources = Self.numbers.map { number in
            // The default action would end the process before the final checkpoint.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if !(stops.first?.isRequested ?? true) { announce(number) }
                for stop in stops { stop.stop() }
            }
            source.resume()
            return source
        }
    }

    /// Removes the handlers and restores the default dispositions.
    func restore() {
        for source in sources { source.cancel() }
        sources = []
        for number in Self.numbers { signal(number, SIG_DFL) }
    }

    deinit {
        if !sources.isEmpty { restore() }
    }
}
