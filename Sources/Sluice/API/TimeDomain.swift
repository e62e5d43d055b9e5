/// Which clock a timer belongs to.
public enum TimeDomain: Sendable, Hashable {
    /// Fires when the watermark passes the timer's timestamp.
    case eventTime
    /// Fires when the wall clock passes the timer's timestamp.
    case processingTime
}
