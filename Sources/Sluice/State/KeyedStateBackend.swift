/// Stores the keyed state of one operator in one task, and turns it into bytes and back.
///
/// The memory backend keeps typed dictionaries; a RocksDB backend or one rebuilt from a
/// checkpoint topic implements the same contract with encoded keys and values.
///
/// ## Threading and lifecycle
///
/// A backend belongs to one task and is only touched on the thread running that task's round:
/// the operator registers its states (the `…State(_:)` calls), the runtime sets
/// ``currentKey`` before each element and timer, and, when a checkpoint is due, calls
/// ``snapshot()`` at a batch boundary. ``restore(from:)`` may come before or after the states
/// are registered; entries of states not yet registered wait until they are.
public protocol KeyedStateBackend<Key>: AnyObject {
    associatedtype Key: Hashable

    /// The key that state handles read and write.
    var currentKey: Key? { get set }

    /// Registers (or finds) a value state.
    func valueState<Value>(_ descriptor: ValueStateDescriptor<Value>) throws -> any ValueState<Value>

    /// Registers (or finds) a list state.
    func listState<Element>(_ descriptor: ListStateDescriptor<Element>) throws -> any ListState<Element>

    /// Registers (or finds) a map state.
    func mapState<MapKey: Hashable, Value>(_ descriptor: MapStateDescriptor<MapKey, Value>) throws
        -> any MapState<MapKey, Value>

    /// Every key with at least one non-empty state.
    var keys: [Key] { get }

    /// All state, every key, as bytes; throws ``StateError/notSnapshottable(_:)`` when a key or
    /// state has no codec.
    func snapshot() throws -> [UInt8]

    /// Replaces all state with a snapshot taken by the same kind of backend.
    func restore(from snapshot: [UInt8]) throws
}

/// Creates the keyed state backend of each keyed operator in each task.
public protocol StateBackend: Sendable {
    /// A backend for the operator `operatorName` of `task`; `keyCodec` encodes keys in
    /// snapshots and is `nil` when the key type has none.
    func makeKeyedBackend<Key: Hashable>(
        keyCodec: (any Codec<Key>)?, operatorName: String, task: TaskID
    ) throws -> any KeyedStateBackend<Key>
}
