/// Keeps every element in memory, for tests and small local runs.
///
/// Elements of one task arrive in order; elements of different tasks interleave as the tasks
/// run, so compare sorted results when the job has several tasks.
public final class CollectSink<Element>: Sink {
    public let name: String
    private let collected = LockedValue([Element]())
    private let flushes = LockedValue(0)

    public init(name: String = "collect") {
        self.name = name
    }

    public func write(_ elements: [Element]) {
        collected.withLock { $0.append(contentsOf: elements) }
    }

    public func flush() {
        flushes.withLock { $0 += 1 }
    }

    /// Everything written so far.
    public var elements: [Element] { collected.withLock { $0 } }

    /// How often the runtime flushed this sink.
    public var flushCount: Int { flushes.withLock { $0 } }
}
