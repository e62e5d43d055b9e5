import Sluice

/// Where a job's ``JobContext/source(topics:)`` and ``JobContext/sink(topic:)`` lead: the
/// worker's Kafka consumer and producer in a `run`, the worker's clients of an in-memory broker
/// in `SluiceJobTesting`. A job written against ``JobContext`` runs on either unchanged.
public protocol TopicConnector: AnyObject {
    /// The worker's stable name.
    var workerID: String { get }

    /// The worker's one source of `topics`, from the committed positions of its group.
    func source(topics: [String]) throws -> any Source<SourceRecord>

    /// A sink writing to `topic` (or each record's own topic) in the worker's transactions.
    func sink(topic: String?) -> any Sink<SinkRecord>
}
