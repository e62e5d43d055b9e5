/// Keeps every element in memory, for tests and small local runs.
///
/// Elements of one task arrive in order; elements of different tasks interleave as the tasks
/// run, so compare sorted results when the job has several tasks.
public final class CollectSink<Element>: SharedSink {
    /// The name given at creation, `collect` by default.
    public let name: String
    private let collected = LockedValue([Element]())
    private let flushes = LockedValue(0)

    /// - Parameter name: the sink's name in plans and error messages.
    public init(name: String = "collect") {
        self.name = name
    }

    /// Appends the elements to ``elements`` at once; no flush is needed to see them.
    public func write(_ elements: [Element]) {
        collected.withLock { $0.append(contentsOf: elements) }
    }

    /// Only counts the call in ``flushCount``.
    public func flush() {
        flushes.withLock { $0 += 1 }
    }

    /// Everything written so far.
    public var elements: [Element] { collected.withLock { $0 } }

    /// How often the runtime flushed this sink.
    public var flushCount: Int { flushes.withLock { $0 } }
}
