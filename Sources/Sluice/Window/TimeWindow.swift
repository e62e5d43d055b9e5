/// A window of event time, `[start, end)` in milliseconds, like Flink's `TimeWindow`.
public struct TimeWindow: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The first millisecond inside the window.
    public var start: Int64
    /// The end in milliseconds, exclusive: the first millisecond after the window.
    public var end: Int64

    /// The window `[start, end)`.
    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// The last timestamp inside the window; the window fires when the watermark reaches it, and
    /// its results carry it as their timestamp.
    public var maxTimestamp: Int64 { end - 1 }

    /// Whether two session windows touch or overlap and so belong to one session.
    public func intersects(_ other: TimeWindow) -> Bool {
        start <= other.end && end >= other.start
    }

    /// The smallest window covering both.
    public func cover(_ other: TimeWindow) -> TimeWindow {
        TimeWindow(start: min(start, other.start), end: max(end, other.end))
    }

    /// Orders by start, then end.
    public static func < (lhs: TimeWindow, rhs: TimeWindow) -> Bool {
        (lhs.start, lhs.end) < (rhs.start, rhs.end)
    }

    /// `[start, end)`, as plans and messages show it.
    public var description: String { "[\(start), \(end))" }
}
