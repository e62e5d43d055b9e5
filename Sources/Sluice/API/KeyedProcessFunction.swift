/// Low-level processing of a keyed stream with state and timers, like Flink's
/// `KeyedProcessFunction`.
///
/// Each task creates its own instance (``KeyedStream/process(_:)`` takes an autoclosure), so an
/// instance is only ever called from one thread and may keep state handles in properties,
/// obtained in ``open(_:)``.
public protocol KeyedProcessFunction<Key, Input, Output>: AnyObject {
    associatedtype Key: Hashable
    associatedtype Input
    associatedtype Output

    /// Called once per task before any element; register state here.
    func open(_ context: RuntimeContext<Key>) throws

    /// Called for each element, with its key set as the current key.
    func processElement(_ value: Input, context: KeyedProcessContext<Key, Output>, out: Collector<Output>) throws

    /// Called when a timer registered through ``KeyedProcessContext/timerService`` fires, with
    /// the timer's key set as the current key.
    func onTimer(_ timestamp: Int64, context: KeyedProcessContext<Key, Output>, out: Collector<Output>) throws
}

extension KeyedProcessFunction {
    /// Does nothing; implement it to register state.
    public func open(_ context: RuntimeContext<Key>) throws {}

    /// Does nothing; implement it when the function registers timers.
    public func onTimer(_ timestamp: Int64, context: KeyedProcessContext<Key, Output>, out: Collector<Output>) throws {}
}
