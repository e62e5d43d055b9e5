import CRdKafka

/// An error reported by librdkafka, carrying its code, symbolic name and human-readable text.
///
/// Transactional errors are classified the way librdkafka classifies them, so a caller can
/// decide between retrying, aborting the transaction, or giving up:
/// - ``isRetriable``: the same call may be retried;
/// - ``requiresAbort``: the transaction must be aborted, after which a new one may begin;
/// - ``isFatal``: the producer is unusable (for example fenced by a newer instance with the
///   same `transactional.id`) and must be closed.
public struct KafkaError: Error, Sendable, CustomStringConvertible, Equatable {
    /// librdkafka's `rd_kafka_resp_err_t` value (negative for client-side errors, positive
    /// for Kafka protocol errors).
    public let code: Int32
    /// librdkafka's symbolic name of the code, e.g. `_TIMED_OUT` or `INVALID_TXN_STATE`.
    public let name: String
    /// librdkafka's message, or a Sluice message that names what was wrong.
    public let message: String
    /// The call may be retried as it is.
    public let isRetriable: Bool
    /// The current transaction must be aborted before the producer can be used again.
    public let requiresAbort: Bool
    /// The client instance is no longer usable.
    public let isFatal: Bool

    /// How a caller should react to this error.
    public var classification: KafkaErrorClass {
        if isFatal { return .fatal }
        if requiresAbort { return .abortable }
        if isRetriable { return .retriable }
        return .other
    }

    /// Creates an error from explicit parts.
    public init(
        code: Int32, name: String, message: String,
        isRetriable: Bool = false, requiresAbort: Bool = false, isFatal: Bool = false
    ) {
        self.code = code
        self.name = name
        self.message = message
        self.isRetriable = isRetriable
        self.requiresAbort = requiresAbort
        self.isFatal = isFatal
    }

    init(code: rd_kafka_resp_err_t, message: String? = nil) {
        self.init(
            code: code.rawValue,
            name: String(cString: rd_kafka_err2name(code)),
            message: message ?? String(cString: rd_kafka_err2str(code))
        )
    }

    /// Takes ownership of `error` and destroys it.
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: rd_kafka_error_code(error).rawValue,
            name: String(cString: rd_kafka_error_name(error)),
            message: String(cString: rd_kafka_error_string(error)),
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            requiresAbort: rd_kafka_error_txn_requires_abort(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    /// An error raised by Sluice itself (not by librdkafka), e.g. a bad argument.
    static func client(_ message: String, code: rd_kafka_resp_err_t = RD_KAFKA_RESP_ERR__INVALID_ARG) -> KafkaError {
        KafkaError(code: code, message: message)
    }

    /// Throws when `code` is not `RD_KAFKA_RESP_ERR_NO_ERROR`.
    static func check(_ code: rd_kafka_resp_err_t, _ context: @autoclosure () -> String) throws {
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        let text = String(cString: rd_kafka_err2str(code))
        throw KafkaError(code: code, message: "\(context()): \(text)")
    }

    /// Throws and destroys `error` when it is not nil.
    static func check(consuming error: OpaquePointer?) throws {
        if let error { throw KafkaError(consuming: error) }
    }

    /// `name (code): message [classes]`.
    public var description: String {
        var classes: [String] = []
        if isRetriable { classes.append("retriable") }
        if requiresAbort { classes.append("abortable") }
        if isFatal { classes.append("fatal") }
        let suffix = classes.isEmpty ? "" : " [\(classes.joined(separator: ", "))]"
        return "\(name) (\(code)): \(message)\(suffix)"
    }
}

/// What a caller should do after a ``KafkaError``.
public enum KafkaErrorClass: Sendable, Equatable {
    /// Retry the same call.
    case retriable
    /// Abort the transaction, then begin a new one.
    case abortable
    /// Close the client; it cannot recover (for example a fenced transactional producer).
    case fatal
    /// Not classified by librdkafka; usually a configuration or usage error.
    case other
}
