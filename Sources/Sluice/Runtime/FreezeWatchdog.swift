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
    private let clock = ContinuousClock()
    private let state: Mutex<(longestGap: Duration, lastTick: ContinuousClock.Instant, cancelled: Bool)>

    init(threshold: Duration) {
        self.threshold = threshold
        state = Mutex((.zero, clock.now, false))
        let thread = Thread { [self] in tick() }
        thread.name = "sluice-freeze-watchdog"
        thread.start()
    }

    private func tick() {
        while !state.withLock({ $0.cancelled }) {
            Thread.sleep(forTimeInterval: 0.1)
            let now = clock.now
            state.withLock { state in
                state.longestGap = max(state.longestGap, now - state.lastTick)
                state.lastTick = now
            }
        }
    }

    /// The longest gap since the last call, counting the one still open: right after the process
    /// resumes, the driver may run before the ticking thread does.
    private func gap(consuming: Bool) -> Duration {
        let now = clock.now
        return state.withLock { state in
            let gap = max(state.longestGap, now - state.lastTick)
            if consuming { state.longestGap = .zero }
            return gap
        }
    }

    /// The longest freeze since the last call, when it exceeded the threshold.
    func takeFreeze() -> Duration? {
        let gap = gap(consuming: true)
        return gap > threshold ? gap : nil
    }

    /// Whether a freeze longer than the threshold happened since the last ``takeFreeze()``,
    /// without consuming it.
    var sawFreeze: Bool {
        gap(consuming: false) > threshold
    }

    /// Stops the ticking thread.
    func cancel() {
        state.withLock { $0.cancelled = true }
    }
}
