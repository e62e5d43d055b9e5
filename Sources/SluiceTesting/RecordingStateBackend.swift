import Foundation
import Sluice

/// Wraps the job's state backend and remembers every keyed backend it makes, by operator and
/// task, so the test driver can read keyed state while the job is parked between rounds.
final class RecordingStateBackend: StateBackend, @unchecked Sendable {
    /// One operator's keyed backend in one task.
    struct Entry {
        var operatorName: String
        var task: TaskID
        var backend: AnyObject
    }

    private let inner: any StateBackend
    private let lock = NSLock()
    // Guarded by `lock`; written by task threads while building, read by the test thread while
    // the job is parked.
    private var made: [Entry] = []

    init(wrapping inner: any StateBackend) {
        self.inner = inner
    }

    /// Makes the backend with the wrapped state backend and records it.
    func makeKeyedBackend<Key: Hashable>(
        keyCodec: (any Codec<Key>)?, operatorName: String, task: TaskID
    ) throws -> any KeyedStateBackend<Key> {
        let backend = try inner.makeKeyedBackend(keyCodec: keyCodec, operatorName: operatorName, task: task)
        lock.lock()
        made.append(Entry(operatorName: operatorName, task: task, backend: backend))
        lock.unlock()
        return backend
    }

    /// Every backend made so far, in order.
    var entries: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return made
    }
}
