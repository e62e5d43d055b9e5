@testable import Sluice

/// The window shapes and functions the checkpoint model tests run.
struct WindowScenario: CustomStringConvertible {
    enum Shape {
        case tumbling(size: Int64)
        case sliding(size: Int64, slide: Int64)
        case session(gap: Int64)
    }

    enum Function {
        /// A process window function; the accumulator is the element list.
        case process
        /// A reduce summing values; the accumulator is an optional element.
        case reduce
        /// A count aggregate; the accumulator is an `Int`.
        case aggregate
    }

    var shape: Shape
    var lateness: Int64
    var function: Function

    var description: String { "\(shape) lateness \(lateness) \(function)" }
}

/// What a window operator should do, written directly from the semantics with plain
/// dictionaries: each key's windows with the values they hold, the watermark, and which keys'
/// windows changed since the last checkpoint.
struct WindowModel {
    let scenario: WindowScenario
    private(set) var watermark = Int64.min
    /// Per key and window, the values in it.
    private(set) var windows: [String: [TimeWindow: [Int]]] = [:]
    /// Keys whose windows gained an element, merged, or were dropped since ``startIncrement()``.
    private(set) var changedKeys: Set<String> = []

    init(_ scenario: WindowScenario) {
        self.scenario = scenario
    }

    mutating func startIncrement() {
        changedKeys = []
    }

    /// The results and late records one round produces, in no particular order.
    mutating func run(_ round: Round<Event>) -> [String] {
        var output: [String] = []
        for (event, timestamp) in round.elements {
            output += add(event, at: timestamp)
        }
        if let watermark = round.watermark { output += advance(to: watermark) }
        return output
    }

    /// The contents as the operator's accumulators show them: the values (sorted), their sum or
    /// their count, per key and window.
    var contents: [String: [TimeWindow: String]] {
        windows.mapValues { $0.mapValues(summary) }
    }

    func summary(_ values: [Int]) -> String {
        switch scenario.function {
        case .process: "\(values.sorted())"
        case .reduce: "sum=\(values.reduce(0, +))"
        case .aggregate: "count=\(values.count)"
        }
    }

    func result(_ key: String, _ window: TimeWindow, _ values: [Int]) -> String {
        switch scenario.function {
        case .process, .aggregate: "\(key) [\(window.start), \(window.end)) \(summary(values))"
        case .reduce: "\(key) \(summary(values))"
        }
    }

    private func isLate(_ window: TimeWindow) -> Bool {
        window.end - 1 + scenario.lateness <= watermark
    }

    private func assign(_ timestamp: Int64) -> [TimeWindow] {
        switch scenario.shape {
        case .tumbling(let size):
            let start = timestamp - timestamp % size
            return [TimeWindow(start: start, end: start + size)]
        case .sliding(let size, let slide):
            var result: [TimeWindow] = []
            var start = timestamp - timestamp % slide
            while start > timestamp - size {
                result.append(TimeWindow(start: start, end: start + size))
                start -= slide
            }
            return result
        case .session(let gap):
            return [TimeWindow(start: timestamp, end: timestamp + gap)]
        }
    }

    private mutating func add(_ event: Event, at timestamp: Int64) -> [String] {
        let key = event.key
        if case .session = scenario.shape {
            var merged = assign(timestamp)[0]
            let absorbed = (windows[key] ?? [:]).keys.filter { $0.start <= merged.end && $0.end >= merged.start }
            for window in absorbed {
                merged = TimeWindow(start: min(merged.start, window.start), end: max(merged.end, window.end))
            }
            guard !isLate(merged) else { return ["late \(key) \(event.value)"] }
            var values: [Int] = []
            for window in absorbed { values += windows[key]!.removeValue(forKey: window)! }
            values.append(event.value)
            windows[key, default: [:]][merged] = values
            changedKeys.insert(key)
            return merged.end - 1 <= watermark ? [result(key, merged, values)] : []
        }
        var output: [String] = []
        var placed = false
        for window in assign(timestamp) where !isLate(window) {
            placed = true
            windows[key, default: [:]][window, default: []].append(event.value)
            changedKeys.insert(key)
            if window.end - 1 <= watermark { output.append(result(key, window, windows[key]![window]!)) }
        }
        return placed ? output : ["late \(key) \(event.value)"]
    }

    /// Fires every window whose end the watermark passes now, then drops every window whose
    /// allowed lateness it passes.
    private mutating func advance(to newWatermark: Int64) -> [String] {
        guard newWatermark > watermark else { return [] }
        let previous = watermark
        watermark = newWatermark
        var output: [String] = []
        for (key, keyWindows) in windows {
            for (window, values) in keyWindows where window.end - 1 > previous && window.end - 1 <= newWatermark {
                output.append(result(key, window, values))
            }
            let kept = keyWindows.filter { !isLate($0.key) }
            if kept.count != keyWindows.count {
                changedKeys.insert(key)
                windows[key] = kept.isEmpty ? nil : kept
            }
        }
        return output
    }
}
