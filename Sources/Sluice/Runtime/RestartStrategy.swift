/// How a worker recovers from a failure that is not the fault of one record: a lost broker, a
/// transaction that had to abort, a commit that timed out. Like Flink's restart strategies,
/// each restart rewinds every task to its last committed checkpoint; when the strategy gives
/// up, the job fails with the last error.
///
/// Failures of one record follow the ``BadInputPolicy``; a fenced producer, a plan error or an
/// unreadable checkpoint stop the job at once, since retrying cannot help.
public enum RestartStrategy: Sendable, Equatable {
    /// Fail at the first error.
    case none
    /// Wait `delay` before each restart; give up after `maxAttempts` restarts in a row without
    /// a successful checkpoint in between.
    case fixedDelay(delay: Duration, maxAttempts: Int)
    /// Wait `initialDelay`, doubling up to `maxDelay`; give up after `maxAttempts` restarts in a
    /// row without a successful checkpoint in between.
    case exponentialBackoff(initialDelay: Duration, maxDelay: Duration, maxAttempts: Int)

    /// The delay before restart number `attempt` (1-based), or `nil` when the strategy gives up.
    func delay(beforeAttempt attempt: Int) -> Duration? {
        switch self {
        case .none:
            return nil
        case .fixedDelay(let delay, let maxAttempts):
            return attempt <= maxAttempts ? delay : nil
        case .exponentialBackoff(let initial, let maximum, let maxAttempts):
            guard attempt <= maxAttempts else { return nil }
            var delay = initial
            for _ in 1..<attempt where delay < maximum { delay *= 2 }
            return min(delay, maximum)
        }
    }
}
