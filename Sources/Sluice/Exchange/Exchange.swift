/// Moves elements between two stages of one process, partitioned by key: the in-process
/// ``LocalHashExchange`` of local runs.
///
/// Distributed runs do not use it: there the exchange is a repartition topic
/// (`<job>-<stage>-repartition`) written through a ``DistributedExchangeTransport`` and read
/// back by the job's source, so the downstream task of a partition may live on any worker.
///
/// ## How the runtime drives an exchange
///
/// The runtime works in rounds. In each round every upstream task runs on a pool thread and, at
/// the end of its batch, calls ``send(_:toPartition:from:)`` for each partition it has elements
/// for and then ``sendWatermark(_:idle:from:)`` once. After **all** upstream tasks of the round
/// have finished, each downstream task calls ``receive(partition:)`` for its own partition on a
/// pool thread. An upstream index and a downstream partition are each used by one thread at a
/// time, and the two sides never run at once, so implementations need no per-element locking.
///
/// The sender has already chosen the partition, with the key's hash.
public protocol Exchange<Element>: AnyObject, Sendable {
    associatedtype Element

    /// How many downstream partitions (tasks) the exchange feeds.
    var partitionCount: Int { get }

    /// Hands `batch` to downstream `partition`; called by upstream task `upstream`.
    func send(_ batch: StreamBatch<Element>, toPartition partition: Int, from upstream: Int) throws

    /// Publishes upstream task `upstream`'s watermark; `idle` withdraws it from the minimum
    /// until that task sends records again.
    func sendWatermark(_ watermark: Int64, idle: Bool, from upstream: Int) throws

    /// Takes everything sent to `partition` since the last call, with the partition's input
    /// watermark: the minimum over upstream tasks that are not idle.
    func receive(partition: Int) throws -> ExchangeDelivery<Element>
}

/// What a downstream task receives from an ``Exchange`` in one round.
public struct ExchangeDelivery<Element> {
    /// The batches sent to this partition since the last delivery, in upstream task order.
    public var batches: [StreamBatch<Element>]
    /// The minimum watermark over active upstream tasks, or `nil` while none is active.
    public var watermark: Int64?

    /// A delivery of `batches` with the partition's input watermark, in milliseconds.
    public init(batches: [StreamBatch<Element>], watermark: Int64?) {
        self.batches = batches
        self.watermark = watermark
    }
}
