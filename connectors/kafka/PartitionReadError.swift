import RdKafka
import Sluice

/// Why a partition could not be read from Kafka: the brokers could not be reached, or they
/// answered with an error. Records that were read and turned out missing or wrong are not this
/// error (a checkpoint's are `CheckpointError.unreadable`): this one says nothing about the
/// data, only that it could not be read now.
public enum PartitionReadError: Error, ConnectorError, Equatable, CustomStringConvertible {
    /// No broker answered in time: requests timed out, connections failed, every broker is
    /// down, or the read made no progress for the reader's timeout. A worker's restart
    /// strategy retries it.
    case unreachable(bootstrap: String, split: Split, offset: Int64?, reason: String)
    /// The brokers answered with an error (an unknown topic, refused authorization): librdkafka's.
    case failed(bootstrap: String, split: Split, offset: Int64?, error: KafkaError)

    /// Whether retrying cannot help: only for an error librdkafka calls fatal.
    public var isFatal: Bool {
        if case .failed(_, _, _, let error) = self { return error.isFatal }
        return false
    }

    /// The brokers that were asked.
    public var bootstrap: String {
        switch self {
        case .unreachable(let bootstrap, _, _, _), .failed(let bootstrap, _, _, _): bootstrap
        }
    }

    /// What was being read: `reading <topic>[<partition>] at offset <offset>`, without the
    /// offset when the failing request asked for the partition's bounds.
    public var operation: String {
        switch self {
        case .unreachable(_, let split, let offset, _), .failed(_, let split, let offset, _):
            "reading \(split)" + (offset.map { " at offset \($0)" } ?? "")
        }
    }

    /// Why it failed, without the brokers' address or the partition.
    public var reason: String {
        switch self {
        case .unreachable(_, _, _, let reason): reason
        case .failed(_, _, _, let error): "\(error)"
        }
    }

    /// One line naming the brokers, the partition and the offset: `cannot reach Kafka at
    /// <address> while reading <topic>[<partition>] at offset <offset>: <reason>`.
    public var description: String {
        switch self {
        case .unreachable: "cannot reach Kafka at \(bootstrap) while \(operation): \(reason)"
        case .failed: "Kafka at \(bootstrap) failed \(operation): \(reason)"
        }
    }
}
