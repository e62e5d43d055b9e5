/// Where a job's results go.
///
/// ## How the runtime drives a sink
///
/// - ``write(_:)`` is called from **task threads**, possibly several at once (one sink object
///   serves every task of the job), once per operator batch. Implementations must be
///   thread-safe. Writing may buffer: nothing is promised durable until ``flush()`` returns.
/// - ``flush()`` is called on the **driver thread** while no task runs: at every commit
///   interval, before a revoke, and at stop. The runtime commits source positions through the
///   ``CommitPoint`` only after every sink's flush returned, which is what makes delivery
///   at-least-once.
/// - ``close()`` once at the end, after the final flush and commit.
///
/// A Kafka sink uses ``SinkRecord`` as its `Element`; the job maps its values to records with
/// ``DataStream/sink(to:serializer:)`` or a closure.
public protocol Sink<Element>: AnyObject, Sendable {
    associatedtype Element

    /// A name for plans and error messages.
    var name: String { get }

    /// Accepts a batch of results.
    func write(_ elements: [Element]) throws

    /// Makes every element written so far durable (or visible), or throws.
    func flush() throws

    /// Releases the sink's resources.
    func close()
}

extension Sink {
    /// Does nothing, for sinks that hold no resources.
    public func close() {}
}
