@testable import Sluice

/// What a tumbling or sliding count window operator should emit, in order, written directly from
/// the semantics with a plain dictionary: each key's windows with their counts and the order in
/// which they were created.
///
/// Firing order: when the watermark moves, windows fire by end, and windows of one end in the
/// order they were created (an element's windows are created latest start first, the order in
/// which Flink's sliding assigner lists them). A window the watermark has passed but whose
/// allowed lateness has not expired fires again on every element it takes. A window is dropped
/// once the watermark passes its end plus the allowed lateness; an element with no window left
/// to take it is late.
struct OrderedWindowModel {
    let size: Int64
    let slide: Int64
    let offset: Int64
    let lateness: Int64
    private(set) var watermark = Int64.min
    private var windows: [String: [TimeWindow: (count: Int, created: Int)]] = [:]
    private var created = 0

    init(size: Int64, slide: Int64? = nil, offset: Int64 = 0, lateness: Int64 = 0) {
        self.size = size
        self.slide = slide ?? size
        self.offset = offset
        self.lateness = lateness
    }

    /// Per key and window, its count.
    var counts: [String: [TimeWindow: Int]] {
        windows.mapValues { $0.mapValues(\.count) }
    }

    static func result(_ key: String, _ window: TimeWindow, _ count: Int) -> String {
        "\(key) [\(window.start), \(window.end)) count=\(count)"
    }

    /// The windows holding `timestamp`, latest start first: every `[s, s + size)` with
    /// `s = offset + n * slide` that contains it.
    func windows(of timestamp: Int64) -> [TimeWindow] {
        // The largest start not after the timestamp, by floor division.
        var steps = (timestamp - offset) / slide
        if (timestamp - offset) % slide < 0 { steps -= 1 }
        var result: [TimeWindow] = []
        var start = offset + steps * slide
        while start + size > timestamp {
            result.append(TimeWindow(start: start, end: start + size))
            start -= slide
        }
        return result
    }

    /// The results the element emits at once (windows the watermark passed already), or its
    /// late record.
    mutating func add(key: String, value: Int, at timestamp: Int64) -> (results: [String], late: [String]) {
        var results: [String] = []
        var placed = false
        for window in windows(of: timestamp) where window.end - 1 + lateness > watermark {
            placed = true
            var state = windows[key]?[window] ?? (0, created)
            if state.count == 0 { created += 1 }
            state.count += 1
            windows[key, default: [:]][window] = state
            if window.end - 1 <= watermark { results.append(Self.result(key, window, state.count)) }
        }
        return (results, placed ? [] : ["late \(key) \(value)"])
    }

    /// The results of the windows the watermark passes now, in firing order; then drops the
    /// windows whose lateness it passes.
    mutating func advance(to newWatermark: Int64) -> [String] {
        guard newWatermark > watermark else { return [] }
        let previous = watermark
        watermark = newWatermark
        var due: [(end: Int64, created: Int, result: String)] = []
        for (key, keyWindows) in windows {
            for (window, state) in keyWindows where window.end - 1 > previous && window.end - 1 <= newWatermark {
                due.append((window.end, state.created, Self.result(key, window, state.count)))
            }
        }
        due.sort { ($0.end, $0.created) < ($1.end, $1.created) }
        for (key, keyWindows) in windows {
            let kept = keyWindows.filter { $0.key.end - 1 + lateness > newWatermark }
            windows[key] = kept.isEmpty ? nil : kept
        }
        return due.map(\.result)
    }
}
