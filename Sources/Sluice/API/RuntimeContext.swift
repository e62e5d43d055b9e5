/// What a function can reach when it opens: its task and its keyed state.
public final class RuntimeContext<Key: Hashable> {
    /// The task this instance runs in.
    public let taskID: TaskID
    private let backend: any KeyedStateBackend<Key>

    init(taskID: TaskID, backend: any KeyedStateBackend<Key>) {
        self.taskID = taskID
        self.backend = backend
    }

    /// A value per key. Names starting with `__sluice.` are Sluice's own and throw
    /// ``StateError/reservedName(_:)``; so do those of the other kinds of state.
    public func state<Value>(_ descriptor: ValueStateDescriptor<Value>) throws -> any ValueState<Value> {
        try ReservedStateName.checkUserState(descriptor.name)
        return try backend.valueState(descriptor)
    }

    /// A list per key.
    public func listState<Element>(_ descriptor: ListStateDescriptor<Element>) throws -> any ListState<Element> {
        try ReservedStateName.checkUserState(descriptor.name)
        return try backend.listState(descriptor)
    }

    /// A map per key.
    public func mapState<MapKey: Hashable, Value>(_ descriptor: MapStateDescriptor<MapKey, Value>) throws
        -> any MapState<MapKey, Value>
    {
        try ReservedStateName.checkUserState(descriptor.name)
        return try backend.mapState(descriptor)
    }
}
