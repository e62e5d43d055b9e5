/// Stores the keyed state of one operator in one task, and turns it into checkpoint entries and
/// back.
///
/// The memory backend keeps typed dictionaries; a RocksDB backend or one rebuilt from a
/// checkpoint topic implements the same contract with encoded keys and values.
///
/// ## Threading and lifecycle
///
/// A backend belongs to one task and is only touched on the thread running that task's round:
/// the operator registers its states (the `…State(_:)` calls), the runtime sets
/// ``currentKey`` before each element and timer, and, when a checkpoint is due, calls
/// ``snapshotEntries(changesOnly:into:)`` at a batch boundary. Restoring
/// (``applyEntry(_:)``, ``restore(from:)``) may come before or after the states are registered;
/// entries of states not yet registered wait until they are.
///
/// ## Incremental snapshots
///
/// When its job checkpoints, the operator turns ``tracksChanges`` on before it registers its
/// states. From then on the backend records every key written or cleared, so a snapshot can
/// list only those (`changesOnly`). A checkpoint chain starts with a full snapshot; each
/// changes-only snapshot holds the keys changed since the snapshot before it, whichever kind
/// that was. Restoring the full snapshot's entries and then every increment's, in order,
/// rebuilds the state of the last one.
///
/// ## Reserved names
///
/// State names starting with `__sluice.` belong to Sluice's own operators (window contents,
/// timers), which keep them in the same checkpoint as user state; ``RuntimeContext`` refuses
/// them for user state.
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

    /// Registers (or finds) the contents of a window operator: per key, its open windows and
    /// their accumulators, as part of this backend's state, so ``keys``, snapshots and restores
    /// include them like any other state.
    ///
    /// The contents always live in memory, laid out as ``MemoryWindowState``: the window
    /// operator touches them for every element, and that layout is what keeps its per-element
    /// cost low. ``MemoryKeyedStateBackend`` makes and holds them; another backend holds window
    /// contents by keeping a ``MemoryKeyedStateBackend`` of its own for them and passing its
    /// entries through its snapshots and restores. A backend that cannot hold them keeps the
    /// default, which throws ``StateError/windowStateUnsupported(backend:)``, and a job with a
    /// window on it fails planning, naming the backend and the operator.
    func windowState<Accumulator>(_ descriptor: WindowStateDescriptor<Accumulator>) throws
        -> MemoryWindowState<Key, Accumulator>

    /// Every key with at least one non-empty state.
    var keys: [Key] { get }

    /// Whether the backend records which keys are written or cleared, for changes-only
    /// snapshots. Off by default, since recording costs a little on every write.
    ///
    /// Turn it on before the first write: changes made while it is off are not recorded.
    /// While it is on, every state must be encodable, so registering one whose descriptor has no
    /// codec throws ``StateError/codecRequired(state:type:)``. Turning it off forgets the
    /// recorded keys.
    var tracksChanges: Bool { get set }

    /// Hands `body` one entry per state and key: every non-empty one (`changesOnly == false`),
    /// or only those written or cleared since the previous snapshot (`changesOnly == true`), a
    /// cleared key with a `nil` payload. Then forgets the recorded changes, so the next
    /// changes-only snapshot starts from this one.
    ///
    /// Throws ``StateError/notSnapshottable(_:)`` when the keys or a state have no codec, and
    /// ``StateError/changesNotTracked(_:)`` for `changesOnly` while ``tracksChanges`` is off.
    /// When it or `body` throws, the recorded changes are kept.
    func snapshotEntries(changesOnly: Bool, into body: (KeyedStateEntry) throws -> Void) throws

    /// Applies one entry of a full snapshot or an increment: its payload replaces the key's
    /// contents in the entry's state, a `nil` payload removes them. Entries of a state not
    /// registered yet wait until it is. Applying records no change, so the next changes-only
    /// snapshot continues from the restored state.
    func applyEntry(_ entry: KeyedStateEntry) throws

    /// All state as one byte string: the entries of a full
    /// ``snapshotEntries(changesOnly:into:)``, which this is, so it forgets the recorded
    /// changes too.
    func snapshot() throws -> [UInt8]

    /// Replaces all state with a ``snapshot()`` taken by the same kind of backend, and forgets
    /// the recorded changes.
    func restore(from snapshot: [UInt8]) throws
}

extension KeyedStateBackend {
    /// Holds no window contents: throws ``StateError/windowStateUnsupported(backend:)``.
    public func windowState<Accumulator>(_ descriptor: WindowStateDescriptor<Accumulator>) throws
        -> MemoryWindowState<Key, Accumulator>
    {
        throw StateError.windowStateUnsupported(backend: "\(Self.self)")
    }
}

/// Creates the keyed state backend of each keyed operator in each task.
public protocol StateBackend: Sendable {
    /// A backend for the operator `operatorName` of `task`; `keyCodec` encodes keys in
    /// snapshots and is `nil` when the key type has none.
    func makeKeyedBackend<Key: Hashable>(
        keyCodec: (any Codec<Key>)?, operatorName: String, task: TaskID
    ) throws -> any KeyedStateBackend<Key>
}
