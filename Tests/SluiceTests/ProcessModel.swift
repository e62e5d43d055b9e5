@testable import Sluice

/// Per key: a count (value state), the values seen since the last multiple of 7 (list state)
/// and a histogram of values mod 4 (map state), with event- and processing-time timers that
/// report the state and sometimes clear it. Every branch is driven by the element's value, so
/// ``ProcessModel`` can follow it.
final class CheckpointedProcessFunction: KeyedProcessFunction {
    private var count: (any ValueState<Int>)!
    private var values: (any ListState<Int>)!
    private var buckets: (any MapState<Int, Int>)!

    func open(_ context: RuntimeContext<String>) throws {
        count = try context.state(ValueStateDescriptor<Int>("count"))
        values = try context.listState(ListStateDescriptor<Int>("values"))
        buckets = try context.mapState(MapStateDescriptor<Int, Int>("buckets"))
    }

    func processElement(_ event: Event, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        let n = (count.value() ?? 0) + 1
        count.update(n)
        if event.value % 7 == 0 { values.clear() } else { values.add(event.value) }
        let bucket = event.value % 4
        if event.value % 5 == 0 { buckets.remove(bucket) } else { buckets.put(bucket, (buckets.get(bucket) ?? 0) + 1) }
        let timers = context.timerService
        timers.registerEventTimeTimer(event.timestamp + Int64(event.value % 40) + 1)
        if event.value % 3 == 0 { timers.deleteEventTimeTimer(event.timestamp + 10) }
        if event.value % 2 == 0 { timers.registerProcessingTimeTimer(timers.currentProcessingTime + Int64(event.value % 30) + 1) }
        if event.value % 9 == 0 { timers.deleteProcessingTimeTimer(timers.currentProcessingTime + 5) }
        out.collect("element \(context.currentKey) \(event.value) " + describe())
    }

    func onTimer(_ timestamp: Int64, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        let domain = context.timeDomain == .eventTime ? "event" : "processing"
        out.collect("\(domain) \(context.currentKey) \(timestamp) " + describe())
        if context.timeDomain == .eventTime, (count.value() ?? 0) % 2 == 0 {
            count.clear()
            values.clear()
            buckets.clear()
        }
        let watermark = context.timerService.currentWatermark
        if context.timeDomain == .processingTime, timestamp % 3 == 0, watermark > .min {
            context.timerService.registerEventTimeTimer(watermark + 7)
        }
    }

    private func describe() -> String {
        let histogram = buckets.entries().sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
        return "n=\(count.value() ?? 0) values=\(values.get()) buckets=\(histogram)"
    }
}

/// What ``CheckpointedProcessFunction`` should do, with plain dictionaries and sets: its state,
/// its pending timers, the watermark, and the keys each state saw written or cleared since the
/// last checkpoint.
struct ProcessModel {
    private(set) var count: [String: Int] = [:]
    private(set) var values: [String: [Int]] = [:]
    private(set) var buckets: [String: [Int: Int]] = [:]
    private(set) var eventTimers: [String: Set<Int64>] = [:]
    private(set) var processingTimers: [String: Set<Int64>] = [:]
    private(set) var watermark = Int64.min
    private var now = Int64.min
    /// Per state name as the operator checkpoints it, the keys changed since ``startIncrement()``.
    private(set) var changed: [String: Set<String>] = [:]

    mutating func startIncrement() {
        changed = [:]
    }

    /// The output of one round; timers of different keys due at once in no particular order.
    mutating func run(_ round: Round<Event>) -> [String] {
        var output: [String] = []
        now = round.now
        output += fireDue(processing: true, upTo: now)
        for (event, _) in round.elements { output.append(process(event)) }
        if let next = round.watermark, next > watermark {
            watermark = next
            output += fireDue(processing: false, upTo: next)
        }
        return output
    }

    private mutating func note(_ state: String, _ key: String) {
        changed[state, default: []].insert(key)
    }

    private mutating func process(_ event: Event) -> String {
        let key = event.key
        count[key, default: 0] += 1
        note("count", key)
        if event.value % 7 == 0 { values[key] = nil } else { values[key, default: []].append(event.value) }
        note("values", key)
        let bucket = event.value % 4
        if event.value % 5 == 0 {
            if buckets[key]?.removeValue(forKey: bucket) != nil { note("buckets", key) }
            if buckets[key]?.isEmpty == true { buckets[key] = nil }
        } else {
            buckets[key, default: [:]][bucket, default: 0] += 1
            note("buckets", key)
        }
        register(event.timestamp + Int64(event.value % 40) + 1, for: key, in: \.eventTimers)
        if event.value % 3 == 0 { delete(event.timestamp + 10, for: key, in: \.eventTimers) }
        if event.value % 2 == 0 { register(now + Int64(event.value % 30) + 1, for: key, in: \.processingTimers) }
        if event.value % 9 == 0 { delete(now + 5, for: key, in: \.processingTimers) }
        return "element \(key) \(event.value) " + describe(key)
    }

    private mutating func register(_ timestamp: Int64, for key: String, in timers: WritableKeyPath<ProcessModel, [String: Set<Int64>]>) {
        if self[keyPath: timers][key, default: []].insert(timestamp).inserted { note("__sluice.timers", key) }
    }

    private mutating func delete(_ timestamp: Int64, for key: String, in timers: WritableKeyPath<ProcessModel, [String: Set<Int64>]>) {
        if self[keyPath: timers][key]?.remove(timestamp) != nil { note("__sluice.timers", key) }
        if self[keyPath: timers][key]?.isEmpty == true { self[keyPath: timers][key] = nil }
    }

    /// Fires due timers earliest first until none is due, including timers that firing registers.
    private mutating func fireDue(processing: Bool, upTo time: Int64) -> [String] {
        let timers: WritableKeyPath<ProcessModel, [String: Set<Int64>]> = processing ? \.processingTimers : \.eventTimers
        var output: [String] = []
        while let (key, timestamp) = self[keyPath: timers].flatMap({ key, set in set.map { (key, $0) } })
            .filter({ $0.1 <= time }).min(by: { ($0.1, $0.0) < ($1.1, $1.0) })
        {
            delete(timestamp, for: key, in: timers)
            output.append("\(processing ? "processing" : "event") \(key) \(timestamp) " + describe(key))
            if !processing, (count[key] ?? 0) % 2 == 0 {
                count[key] = nil
                values[key] = nil
                buckets[key] = nil
                for state in ["count", "values", "buckets"] { note(state, key) }
            }
            if processing, timestamp % 3 == 0, watermark > .min { register(watermark + 7, for: key, in: \.eventTimers) }
        }
        return output
    }

    private func describe(_ key: String) -> String {
        let histogram = (buckets[key] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
        return "n=\(count[key] ?? 0) values=\(values[key] ?? []) buckets=\(histogram)"
    }
}
