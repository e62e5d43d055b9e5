/// Decides which windows an element belongs to. Create one with ``TumblingEventTimeWindows``,
/// ``SlidingEventTimeWindows`` or ``EventTimeSessionWindows`` (by the element's event time,
/// fired by the watermark), or ``TumblingProcessingTimeWindows`` (by the processing-time clock
/// when the element arrives, fired by that clock).
public struct WindowAssigner: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case tumbling(size: Int64, offset: Int64)
        case sliding(size: Int64, slide: Int64, offset: Int64)
        case session(gap: Int64)
    }

    let kind: Kind
    /// The clock that places elements in windows and fires them.
    let domain: TimeDomain

    init(kind: Kind, domain: TimeDomain = .eventTime) {
        self.kind = kind
        self.domain = domain
    }

    /// Session windows merge; the window operator handles them differently.
    var isMerging: Bool {
        if case .session = kind { return true }
        return false
    }

    /// Calls `body` with every window `timestamp` belongs to, without allocating.
    @inline(__always)
    func forEachWindow(_ timestamp: Int64, _ body: (TimeWindow) throws -> Void) rethrows {
        switch kind {
        case .tumbling(let size, let offset):
            let start = Self.windowStart(timestamp, offset: offset, size: size)
            try body(TimeWindow(start: start, end: start + size))
        case .sliding(let size, let slide, let offset):
            var start = Self.windowStart(timestamp, offset: offset, size: slide)
            while start > timestamp - size {
                try body(TimeWindow(start: start, end: start + size))
                start -= slide
            }
        case .session(let gap):
            try body(TimeWindow(start: timestamp, end: timestamp + gap))
        }
    }

    /// The start of the window of length `size` containing `timestamp`, also for negative
    /// timestamps (Flink's `TimeWindow.getWindowStartWithOffset`).
    static func windowStart(_ timestamp: Int64, offset: Int64, size: Int64) -> Int64 {
        let remainder = (timestamp - offset) % size
        return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder
    }

    /// The assigner in words, sizes in milliseconds, such as `tumbling 5000 ms` or
    /// `processing-time tumbling 5000 ms`.
    public var description: String {
        (domain == .processingTime ? "processing-time " : "") + shape
    }

    private var shape: String {
        switch kind {
        case .tumbling(let size, let offset): "tumbling \(size) ms" + (offset == 0 ? "" : " offset \(offset) ms")
        case .sliding(let size, let slide, _): "sliding \(size) ms every \(slide) ms"
        case .session(let gap): "session gap \(gap) ms"
        }
    }
}

/// Fixed-size, non-overlapping event-time windows, like Flink's `TumblingEventTimeWindows`.
public enum TumblingEventTimeWindows {
    /// Windows of `size`, aligned to the epoch plus `offset`.
    public static func of(_ size: Duration, offset: Duration = .zero) -> WindowAssigner {
        precondition(size.milliseconds > 0, "a window lasts at least a millisecond")
        return WindowAssigner(kind: .tumbling(size: size.milliseconds, offset: offset.milliseconds))
    }

    /// Windows of `seconds` seconds.
    public static func of(seconds: Int64) -> WindowAssigner {
        of(.seconds(seconds))
    }
}

/// Fixed-size windows that start every `slide`, so an element may fall in several, like
/// Flink's `SlidingEventTimeWindows`.
public enum SlidingEventTimeWindows {
    /// Windows of `size` that start every `slide`, aligned to the epoch plus `offset`.
    public static func of(size: Duration, slide: Duration, offset: Duration = .zero) -> WindowAssigner {
        precondition(size.milliseconds > 0 && slide.milliseconds > 0, "size and slide are positive")
        return WindowAssigner(kind: .sliding(size: size.milliseconds, slide: slide.milliseconds, offset: offset.milliseconds))
    }
}

/// Windows per key that close after `gap` without elements, merging when elements bridge two
/// sessions, like Flink's `EventTimeSessionWindows`.
public enum EventTimeSessionWindows {
    /// Sessions that close once `gap` of event time passes without an element for the key.
    public static func withGap(_ gap: Duration) -> WindowAssigner {
        precondition(gap.milliseconds > 0, "a session gap is positive")
        return WindowAssigner(kind: .session(gap: gap.milliseconds))
    }
}
