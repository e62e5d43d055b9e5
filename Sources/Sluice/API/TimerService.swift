/// Registers and deletes the current key's timers, and tells the time, like Flink's
/// `TimerService`.
public final class TimerService<Key: Hashable> {
    var eventTimers = TimerQueue<Key, TimerNamespace>()
    var processingTimers = TimerQueue<Key, TimerNamespace>()
    var key: Key?
    /// Whether registering, deleting and firing timers records the key, for changes-only
    /// checkpoints; on when the job checkpoints.
    var tracksChanges = false
    /// Keys whose timers changed since the last snapshot, while ``tracksChanges`` is on.
    var changedKeys: Set<Key> = []
    /// Timers a restore handed over, per key, until ``finishRestore()`` queues them.
    var restoredTimers: [Key: [UInt8]] = [:]

    /// The operator's current watermark: everything at or before it is complete.
    public internal(set) var currentWatermark: Int64 = .min
    /// The processing time of the current round, in milliseconds since the Unix epoch.
    public internal(set) var currentProcessingTime: Int64 = .min

    init() {}

    /// Fires ``KeyedProcessFunction/onTimer(_:context:out:)`` once the watermark reaches `timestamp`.
    public func registerEventTimeTimer(_ timestamp: Int64) {
        let key = currentKey
        if eventTimers.register(Timer(timestamp: timestamp, key: key, namespace: TimerNamespace())) { noteChange(key) }
    }

    /// Fires ``KeyedProcessFunction/onTimer(_:context:out:)`` once processing time reaches `timestamp`.
    public func registerProcessingTimeTimer(_ timestamp: Int64) {
        let key = currentKey
        if processingTimers.register(Timer(timestamp: timestamp, key: key, namespace: TimerNamespace())) { noteChange(key) }
    }

    /// Cancels the current key's event-time timer at `timestamp`, if there is one.
    public func deleteEventTimeTimer(_ timestamp: Int64) {
        let key = currentKey
        if eventTimers.delete(Timer(timestamp: timestamp, key: key, namespace: TimerNamespace())) { noteChange(key) }
    }

    /// Cancels the current key's processing-time timer at `timestamp`, if there is one.
    public func deleteProcessingTimeTimer(_ timestamp: Int64) {
        let key = currentKey
        if processingTimers.delete(Timer(timestamp: timestamp, key: key, namespace: TimerNamespace())) { noteChange(key) }
    }

    /// Removes and returns the earliest event-time timer due at or before `watermark`.
    func popEventTimer(atOrBefore watermark: Int64) -> Timer<Key, TimerNamespace>? {
        let timer = eventTimers.popDue(atOrBefore: watermark)
        if let timer { noteChange(timer.key) }
        return timer
    }

    /// Removes and returns the earliest processing-time timer due at or before `now`.
    func popProcessingTimer(atOrBefore now: Int64) -> Timer<Key, TimerNamespace>? {
        let timer = processingTimers.popDue(atOrBefore: now)
        if let timer { noteChange(timer.key) }
        return timer
    }

    @inline(__always)
    private func noteChange(_ key: Key) {
        if tracksChanges { changedKeys.insert(key) }
    }

    private var currentKey: Key {
        guard let key else { preconditionFailure("timers are keyed: use them inside processElement or onTimer") }
        return key
    }
}

/// Process-function timers have no namespace; windows use the window as theirs.
struct TimerNamespace: Hashable {}
