import Sluice

/// Keyed state, read while the job is parked between rounds.
///
/// Operators are named as the engine names their state: `<node id>-<operator>`, such as
/// `2-process(CountFunction)` or `3-window(tumbling 10s).aggregate`; a query may give the
/// whole name or the part after the id, as long as it names one operator. Reading a state the
/// operator never registered registers it, empty.
extension TestDriver {
    /// The names of the keyed operators whose state the job created, sorted.
    public var statefulOperators: [String] {
        Array(Set(stateBackend.entries.map(\.operatorName))).sorted()
    }

    /// Every key with state in the operator `name`, over all its tasks, in no particular order.
    public func keys<Key: Hashable>(ofOperator name: String, as type: Key.Type = Key.self) throws -> [Key] {
        try backends(ofOperator: name, keyType: type).flatMap { $0.keys }
    }

    /// The value state `descriptor` holds for `key` in the operator `name`, or `nil`.
    public func valueState<Key: Hashable, Value>(
        _ descriptor: ValueStateDescriptor<Value>, ofOperator name: String, key: Key
    ) throws -> Value? {
        (try read(ofOperator: name, key: key) { try $0.valueState(descriptor).value() }) ?? nil
    }

    /// The list state `descriptor` holds for `key` in the operator `name` (empty when none).
    public func listState<Key: Hashable, Element>(
        _ descriptor: ListStateDescriptor<Element>, ofOperator name: String, key: Key
    ) throws -> [Element] {
        try read(ofOperator: name, key: key) { try $0.listState(descriptor).get() } ?? []
    }

    /// The entries of the map state `descriptor` holds for `key` in the operator `name`.
    public func mapState<Key: Hashable, MapKey: Hashable, Value>(
        _ descriptor: MapStateDescriptor<MapKey, Value>, ofOperator name: String, key: Key
    ) throws -> [(key: MapKey, value: Value)] {
        try read(ofOperator: name, key: key) { try $0.mapState(descriptor).entries() } ?? []
    }

    /// Runs `body` on the backend of the task that holds `key`, with its current key set to
    /// `key` and put back afterwards; `nil` when no task holds the key.
    private func read<Key: Hashable, Result>(
        ofOperator name: String, key: Key, _ body: (any KeyedStateBackend<Key>) throws -> Result
    ) throws -> Result? {
        for backend in try backends(ofOperator: name, keyType: Key.self) where backend.keys.contains(key) {
            let previous = backend.currentKey
            defer { backend.currentKey = previous }
            backend.currentKey = key
            return try body(backend)
        }
        return nil
    }

    private func backends<Key: Hashable>(ofOperator name: String, keyType: Key.Type) throws -> [any KeyedStateBackend<Key>] {
        try start()
        let entries = stateBackend.entries
        let names = Set(entries.map(\.operatorName))
        let matching = names.filter { $0 == name || $0.drop(while: { $0.isNumber }).dropFirst() == name[...] }
        guard matching.count == 1, let operatorName = matching.first else {
            throw TestDriverError.noSuchOperator(name: name, operators: names.sorted())
        }
        return try entries.filter { $0.operatorName == operatorName }.map { entry in
            guard let typed = entry.backend as? any KeyedStateBackend<Key> else {
                throw TestDriverError.keyTypeMismatch(operator: operatorName, requested: "\(Key.self)")
            }
            return typed
        }
    }
}
