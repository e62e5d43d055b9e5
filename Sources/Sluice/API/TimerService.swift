/// Registers and deletes the current key's timers, and tells the time, like Flink's
/// `TimerService`.
public final class TimerService<Key: Hashable> {
    var eventTimers = TimerQueue<Key, TimerNamespace>()
    var processingTimers = TimerQueue<Key, TimerNamespace>()
    var key: Key?

    /// The operator's current watermark: everything at or before it is complete.
    public internal(set) var currentWatermark: Int64 = .min
    /// The processing time of the current round, in milliseconds since the Unix epoch.
    public internal(set) var currentProcessingTime: Int64 = .min

    init() {}

    /// Fires ``KeyedProcessFunction/onTimer(_:context:out:)`` once the watermark reaches `timestamp`.
    public func registerEventTimeTimer(_ timestamp: Int64) {
        eventTimers.register(Timer(timestamp: timestamp, key: currentKey, namespace: TimerNamespace()))
    }

    /// Fires ``KeyedProcessFunction/onTimer(_:context:out:)`` once processing time reaches `timestamp`.
    public func registerProcessingTimeTimer(_ timestamp: Int64) {
        processingTimers.register(Timer(timestamp: timestamp, key: currentKey, namespace: TimerNamespace()))
    }

    /// Cancels the current key's event-time timer at `timestamp`, if there is one.
    public func deleteEventTimeTimer(_ timestamp: Int64) {
        eventTimers.delete(Timer(timestamp: timestamp, key: currentKey, namespace: TimerNamespace()))
    }

    /// Cancels the current key's processing-time timer at `timestamp`, if there is one.
    public func deleteProcessingTimeTimer(_ timestamp: Int64) {
        processingTimers.delete(Timer(timestamp: timestamp, key: currentKey, namespace: TimerNamespace()))
    }

    private var currentKey: Key {
        guard let key else { preconditionFailure("timers are keyed: use them inside processElement or onTimer") }
        return key
    }
}

/// Process-function timers have no namespace; windows use the window as theirs.
struct TimerNamespace: Hashable {}
