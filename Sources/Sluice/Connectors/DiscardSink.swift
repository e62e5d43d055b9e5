import Synchronization

/// Drops every element and only counts them: the end of benchmark pipelines, where the cost
/// of a real sink would hide the engine's.
public final class DiscardSink<Element>: Sink {
    public let name = "discard"
    private let counted = Atomic<Int>(0)

    public init() {}

    public func write(_ elements: [Element]) {
        counted.add(elements.count, ordering: .relaxed)
    }

    public func flush() {}

    /// How many elements were written.
    public var count: Int { counted.load(ordering: .relaxed) }
}
