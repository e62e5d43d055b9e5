/// Carries a distributed job's exchanges over a message broker: the connector side of the
/// repartition topics (`<job>-<stage>-repartition`) that connect the stages of a job running
/// in a consumer group.
///
/// The engine decides what goes where: it serializes each element and its key, picks the
/// partition with ``Murmur2`` (so equal keys meet in one task on every worker), and wraps every
/// element, watermark and commit marker in an envelope naming its upstream task and checkpoint.
/// The transport only creates the topics and moves the bytes. Records come back through the job's source, which subscribes to the
/// internal topics as well (``InternalTopicSource``), so one consumer per worker reads both and
/// the group coordinator assigns input and repartition partitions together.
///
/// ## How the runtime drives a transport
///
/// - ``ensureTopics(_:)`` once on the driver thread, before the worker joins its group.
/// - ``write(_:to:)`` from task threads, possibly several at once: implementations must be
///   thread-safe. Writing may buffer.
/// - ``flush()`` on the driver thread while no task runs, with the sinks, before every commit:
///   input positions are committed only once the records derived from them are durable in the
///   repartition topic (at-least-once).
/// - ``close()`` once at the end, after the final flush and commit.
///
/// SluiceKafka's `KafkaRuntime` supplies one through ``WorkerServices``.
public protocol DistributedExchangeTransport: AnyObject, Sendable {
    /// Creates the topics that do not exist yet. An existing topic with another partition count
    /// is an error: keys would no longer land where the plan expects them.
    func ensureTopics(_ topics: [InternalTopic]) throws

    /// Enqueues `records` for `topic`, each to its own partition. A record refused for itself
    /// (too large) throws ``RecordRejected`` with its index; the ones before it were enqueued.
    func write(_ records: [ExchangeRecord], to topic: String) throws

    /// Waits until every record written so far is durable, or throws.
    func flush() throws

    /// Releases the transport's resources.
    func close()
}

extension DistributedExchangeTransport {
    /// Does nothing, for transports that hold no resources.
    public func close() {}
}

/// An internal topic a job needs, with the partition count its plan gives it.
public struct InternalTopic: Sendable, Hashable {
    /// The topic's name, such as `<job>-<stage>-repartition`.
    public var name: String
    /// One partition per downstream task.
    public var partitionCount: Int

    /// A topic named `name` with `partitionCount` partitions.
    public init(name: String, partitionCount: Int) {
        self.name = name
        self.partitionCount = partitionCount
    }
}

/// One record for a repartition topic: an element, a watermark or a commit marker, its value
/// an envelope the engine encodes.
public struct ExchangeRecord: Sendable, Hashable {
    /// The partition the engine chose: murmur2 of ``key`` for elements, each partition in turn
    /// for watermarks and markers.
    public var partition: Int32
    /// The serialized key; `nil` for watermarks and markers.
    public var key: [UInt8]?
    /// The envelope and, for elements, the serialized element.
    public var value: [UInt8]
    /// The element's event time, in milliseconds; `nil` (the broker's time) for watermarks and
    /// markers.
    public var timestamp: Int64?
    /// Headers; the engine writes none.
    public var headers: [RecordHeader]

    /// A record for `partition` of a repartition topic.
    public init(partition: Int32, key: [UInt8]?, value: [UInt8], timestamp: Int64?, headers: [RecordHeader] = []) {
        self.partition = partition
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.headers = headers
    }
}

/// A source that can read a job's internal topics next to its own, through the same
/// consumer, so the group assigns their partitions to workers like any input partition.
///
/// The runtime calls ``subscribeInternalTopics(_:)`` on the driver thread before
/// ``Membership/join(listener:available:)``. The internal topics' splits are not part of
/// ``Source/splits()``, never end by offsets (a bounded source reads them until the runtime
/// has seen every upstream task's final watermark), and start at the group's committed offset
/// or else at the earliest record, whatever the source's starting offsets say for its own
/// topics: skipping records of an internal topic would lose data, and replaying committed ones
/// would count them twice.
public protocol InternalTopicSource: AnyObject {
    /// Adds `topics` to the subscription the source makes when it joins.
    func subscribeInternalTopics(_ topics: [String]) throws
}
