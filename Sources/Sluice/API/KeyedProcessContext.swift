/// What ``KeyedProcessFunction`` sees while handling one element or timer.
public final class KeyedProcessContext<Key: Hashable, Output> {
    /// The key of the element or timer being handled.
    public var currentKey: Key {
        guard let key = timerService.key else { preconditionFailure("no current key outside processElement or onTimer") }
        return key
    }
    /// The event timestamp of the element, or the firing timer's timestamp.
    public internal(set) var timestamp: Int64 = 0
    /// In ``KeyedProcessFunction/onTimer(_:context:out:)``, which clock fired; `nil` otherwise.
    public internal(set) var timeDomain: TimeDomain?
    /// Timers and time for the current key.
    public let timerService: TimerService<Key>
    let sideOutputs: SideOutputs
    var origin = RecordOrigin.unknown

    init(timerService: TimerService<Key>, sideOutputs: SideOutputs) {
        self.timerService = timerService
        self.sideOutputs = sideOutputs
    }

    /// Emits `value` to the side output `tag`, with the current timestamp.
    public func output<Element>(_ tag: OutputTag<Element>, _ value: Element) {
        sideOutputs.emit(tag, value, timestamp: timestamp, origin: origin)
    }
}
