import Foundation

/// Where processing time comes from: wall-clock time in milliseconds since the Unix epoch.
///
/// The runtime reads it once per round, on the driver thread, and hands the reading to every
/// task, so processing-time timers and idleness see one consistent time per round. Tests
/// substitute a clock they advance themselves.
public protocol ProcessingTimeClock: Sendable {
    /// The current time in milliseconds since the Unix epoch.
    func now() -> Int64
}

/// The system's wall clock.
public struct SystemClock: ProcessingTimeClock {
    /// The system's wall clock.
    public init() {}

    /// `Date()` in milliseconds since the Unix epoch, rounded down.
    public func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
