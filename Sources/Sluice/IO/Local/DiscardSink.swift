import Synchronization

/// Drops every element and only counts them: the end of benchmark pipelines, where the cost
/// of a real sink would hide the engine's.
public final class DiscardSink<Element>: SharedSink {
    /// Always `discard`.
    public let name = "discard"
    private let counted = Atomic<Int>(0)

    /// A sink whose ``count`` starts at 0.
    public init() {}

    /// Adds the number of elements to ``count`` and drops them.
    public func write(_ elements: [Element]) {
        counted.add(elements.count, ordering: .relaxed)
    }

    /// Does nothing: nothing is kept.
    public func flush() {}

    /// How many elements were written.
    public var count: Int { counted.load(ordering: .relaxed) }
}
