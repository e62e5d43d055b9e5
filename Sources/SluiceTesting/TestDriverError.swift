/// What the test driver reports when a test uses it wrongly or the job under test fails.
public enum TestDriverError: Error, CustomStringConvertible, Equatable {
    /// The job reads a topic the test never declared with ``TestDriver/input(_:partitions:serializer:)``.
    case undeclaredTopic(String)
    /// A topic was declared twice with different partition counts.
    case partitionCountMismatch(topic: String, declared: Int, requested: Int)
    /// A record was piped to a partition the topic does not have.
    case noSuchPartition(topic: String, partition: Int32, partitions: Int)
    /// The job definition reads no topic of the driver, so nothing could ever drive it.
    case noTestSource
    /// The job ended or failed earlier; the driver cannot move it any more.
    case jobNotRunning(String)
    /// An output record's value did not decode with the deserializer given to ``TestDriver/output(_:deserializer:)``.
    case undecodableOutput(topic: String, index: Int, error: String)
    /// Records or a watermark were piped into a topic after ``TestInputTopic/end()``.
    case topicEnded(String)
    /// A state query named no operator, or more than one; `operators` are the stateful ones.
    case noSuchOperator(name: String, operators: [String])
    /// A state query asked for keys of another type than the operator's.
    case keyTypeMismatch(operator: String, requested: String)
    /// A serializer failed on a value piped into a topic.
    case unserializableInput(topic: String, error: String)

    /// One line naming the topic, partition or record at fault.
    public var description: String {
        switch self {
        case .undeclaredTopic(let topic):
            "the job reads topic \(topic), which the test did not declare; call driver.input(\"\(topic)\", partitions: N) before the first pipe"
        case .partitionCountMismatch(let topic, let declared, let requested):
            "topic \(topic) has \(declared) partitions; it cannot be declared again with \(requested)"
        case .noSuchPartition(let topic, let partition, let partitions):
            "topic \(topic) has no partition \(partition) (it has \(partitions))"
        case .noTestSource:
            "the job reads no topic of the test driver; read one with topics.source(topics:)"
        case .jobNotRunning(let reason):
            "the job is not running: \(reason)"
        case .undecodableOutput(let topic, let index, let error):
            "output topic \(topic) record \(index): \(error)"
        case .topicEnded(let topic):
            "topic \(topic) has ended; nothing can be piped into it any more"
        case .noSuchOperator(let name, let operators):
            "no single keyed operator is named \(name); the job's are: \(operators.joined(separator: ", "))"
        case .keyTypeMismatch(let name, let requested):
            "operator \(name) is not keyed by \(requested)"
        case .unserializableInput(let topic, let error):
            "topic \(topic): the value could not be serialized: \(error)"
        }
    }
}
