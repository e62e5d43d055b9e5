/// Fixed-size, non-overlapping windows of processing time, like Flink's
/// `TumblingProcessingTimeWindows`: an element goes to the window holding the processing-time
/// clock (``JobConfiguration/clock``) when it reaches the window operator, whatever its own
/// timestamp, and each window fires once the clock passes its end. Watermarks pass through
/// untouched; allowed lateness and late-data side outputs do not apply (no element is late).
public enum TumblingProcessingTimeWindows {
    /// Windows of `size`, aligned to the epoch plus `offset`.
    public static func of(_ size: Duration, offset: Duration = .zero) -> WindowAssigner {
        precondition(size.milliseconds > 0, "a window lasts at least a millisecond")
        return WindowAssigner(kind: .tumbling(size: size.milliseconds, offset: offset.milliseconds), domain: .processingTime)
    }

    /// Windows of `seconds` seconds.
    public static func of(seconds: Int64) -> WindowAssigner {
        of(.seconds(seconds))
    }
}
