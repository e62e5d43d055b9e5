/// An error of a connector that tells whether a worker can recover from it by rewinding to its
/// last checkpoint (a broker that went away, a transaction that had to abort) or must stop (its
/// producer was fenced by a newer instance, its credentials were refused).
///
/// SluiceKafka's `KafkaError` conforms. Errors that do not conform count as recoverable.
public protocol ConnectorError: Error {
    /// Whether retrying cannot help: the worker stops with this error.
    var isFatal: Bool { get }
}

extension Error {
    /// Whether this error, or the connector error it wraps, says the worker must stop.
    var isFatalConnectorError: Bool {
        if let connector = self as? any ConnectorError { return connector.isFatal }
        if case JobError.connectorFailed(_, let underlying) = self as? JobError ?? .invalidPlan("") {
            return underlying.isFatalConnectorError
        }
        return false
    }
}
