import Sluice

/// What a ``MemoryBroker`` or a worker's client of it refuses, in one line naming the topic,
/// partition, transactional id or group member at fault.
public enum MemoryBrokerError: ConnectorError, CustomStringConvertible, Equatable {
    /// A topic the broker does not have.
    case unknownTopic(String)
    /// A partition the topic does not have.
    case noSuchPartition(topic: String, partition: Int32, partitions: Int)
    /// A topic created again with another partition count.
    case partitionCountMismatch(topic: String, existing: Int, requested: Int)
    /// Records appended to a topic after ``MemoryBroker/endTopic(_:)``.
    case topicEnded(String)
    /// A newer instance with the same transactional id started (or the broker aborted this
    /// one's transaction when its process died): this producer can do nothing more.
    case fenced(transactionalID: String)
    /// A transactional write or commit without an open transaction.
    case noOpenTransaction(transactionalID: String)
    /// A transaction begun while the producer's previous one is still open.
    case transactionAlreadyOpen(transactionalID: String)
    /// A transactional offset commit by a member the group no longer counts (its session
    /// expired, or it left): the group's answer to a zombie (KIP-447). The transaction aborted.
    case notAGroupMember(group: String, member: String)
    /// The worker's process is gone (``MemoryBrokerRuntime/crash()``); nothing it does reaches
    /// the broker any more.
    case workerCrashed(worker: String)
    /// A worker opened on a ``MemoryBrokerRuntime`` whose job reads no source of that runtime.
    case noSource(worker: String)
    /// A record for a sink without a default topic that names no topic of its own.
    case recordWithoutTopic
    /// A second source made by one ``MemoryBrokerRuntime``: a worker reads all its topics
    /// through one consumer.
    case secondSource(worker: String)
    /// A read of a topic made unreachable (``MemoryBroker/makeUnreachable(_:)``): an outage,
    /// which a restart may outlast.
    case unreachable(topic: String, partition: Int32)

    /// Whether the worker must stop: every refusal but a zombie's offset commit, which a rewind
    /// to the last committed checkpoint answers.
    public var isFatal: Bool {
        switch self {
        case .notAGroupMember, .unreachable: return false
        default: return true
        }
    }

    /// One line naming what was refused.
    public var description: String {
        switch self {
        case .unknownTopic(let topic):
            "the memory broker has no topic \(topic); create it first (MemoryBroker.createTopic, or the driver's input/output)"
        case .noSuchPartition(let topic, let partition, let partitions):
            "topic \(topic) has no partition \(partition) (it has \(partitions))"
        case .partitionCountMismatch(let topic, let existing, let requested):
            "topic \(topic) has \(existing) partitions; it cannot be created again with \(requested)"
        case .topicEnded(let topic):
            "topic \(topic) has ended; nothing can be appended to it any more"
        case .fenced(let id):
            "producer \(id) was fenced: a newer instance with this transactional id started, or its process died"
        case .noOpenTransaction(let id):
            "producer \(id) has no open transaction"
        case .transactionAlreadyOpen(let id):
            "producer \(id) already has an open transaction"
        case .unreachable(let topic, let partition):
            "cannot reach the memory broker while reading \(topic)[\(partition)] (made unreachable)"
        case .notAGroupMember(let group, let member):
            "group \(group) refused the offsets of \(member), which is no longer a member (its session expired or it left); the transaction aborted"
        case .workerCrashed(let worker):
            "worker \(worker) crashed; nothing it does reaches the broker any more"
        case .noSource(let worker):
            "worker \(worker) reads no source of its MemoryBrokerRuntime; read the job's topics with runtime.source(topics:)"
        case .recordWithoutTopic:
            "the record names no topic and the sink has none"
        case .secondSource(let worker):
            "worker \(worker) already has a source; read all the job's topics through one runtime.source(topics:)"
        }
    }
}
