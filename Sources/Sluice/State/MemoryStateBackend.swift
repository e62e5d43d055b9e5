/// Keeps keyed state in process memory: fast, bounded by RAM, lost with the process unless a
/// checkpoint snapshots it.
public struct MemoryStateBackend: StateBackend {
    /// The memory backend; it has no settings.
    public init() {}

    /// A new ``MemoryKeyedStateBackend``; `task` is unused, since each task keeps its own.
    public func makeKeyedBackend<Key: Hashable>(
        keyCodec: (any Codec<Key>)?, operatorName: String, task: TaskID
    ) -> any KeyedStateBackend<Key> {
        MemoryKeyedStateBackend<Key>(keyCodec: keyCodec, operatorName: operatorName)
    }
}
