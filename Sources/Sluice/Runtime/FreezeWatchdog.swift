import Foundation
import Synchronization

/// Notices when the whole process stood still (SIGSTOP, a suspended VM, heavy swapping) for
/// longer than a threshold, by ticking on its own thread and measuring the gaps between ticks.
///
/// A worker's group membership is kept alive by librdkafka's background heartbeats, so a slow
/// round does not lose it; a frozen process does, and after it resumes it cannot tell from
/// librdkafka until the next heartbeat fails. Exactly-once workers ask the watchdog before
/// committing and abort instead when it saw a freeze (``Job``).
final class FreezeWatchdog: Sendable {
    private let threshold: Duration
    private let state = Mutex<(longestGap: Duration, cancelled: Bool)>((.zero, false))

    init(threshold: Duration) {
        self.threshold = threshold
        let thread = Thread { [self] in tick() }
        thread.name = "sluice-freeze-watchdog"
        thread.start()
    }

    private func tick() {
        let clock = ContinuousClock()
        var last = clock.now
        while !state.withLock({ $0.cancelled }) {
            Thread.sleep(forTimeInterval: 0.1)
            let now = clock.now
            let gap = now - last
            last = now
            state.withLock { $0.longestGap = max($0.longestGap, gap) }
        }
    }

    /// The longest freeze since the last call, when it exceeded the threshold.
    func takeFreeze() -> Duration? {
        let gap = state.withLock { state in
            defer { state.longestGap = .zero }
            return state.longestGap
        }
        return gap > threshold ? gap : nil
    }

    /// Whether a freeze longer than the threshold happened since the last ``takeFreeze()``,
    /// without consuming it.
    var sawFreeze: Bool {
        state.withLock { $0.longestGap } > threshold
    }

    /// Stops the ticking thread.
    func cancel() {
        state.withLock { $0.cancelled = true }
    }
}
