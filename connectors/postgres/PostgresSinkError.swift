import Sluice

/// Why a ``PostgresSink`` could not write: each case names the server (`host:port`, never the
/// password) and what the sink was doing, and says whether the worker may retry
/// (``isFatal``): a server that cannot be reached or restarted retries from the last
/// checkpoint; refused credentials, a missing table or a row the table rejects stop the job.
public enum PostgresSinkError: ConnectorError, CustomStringConvertible, Sendable {
    /// The sink's settings make no sense (a malformed URL, an unknown column).
    case invalidSettings(String)
    /// The server could not be reached, or the connection broke (`what` the sink was doing).
    case unreachable(server: String, what: String, reason: String)
    /// The server refused the connection for good: credentials, TLS, authentication method.
    case refused(server: String, what: String, reason: String)
    /// The server answered a statement with an error (`sqlState`, its message).
    case statementFailed(server: String, what: String, sqlState: String, message: String, retriable: Bool)
    /// Exactly-once was asked of a server that allows no prepared transactions.
    case preparedTransactionsDisabled(server: String)
    /// A row could not be made from an element (the mapping threw, or named an unknown column).
    case invalidRow(table: String, reason: String)

    /// Whether retrying cannot help.
    public var isFatal: Bool {
        switch self {
        case .unreachable: false
        case .statementFailed(_, _, _, _, let retriable): !retriable
        case .invalidSettings, .refused, .preparedTransactionsDisabled, .invalidRow: true
        }
    }

    /// One line naming the server and the cause.
    public var description: String {
        switch self {
        case .invalidSettings(let reason):
            "PostgreSQL sink settings: \(reason)"
        case let .unreachable(server, what, reason):
            "PostgreSQL at \(server) unreachable (\(what)): \(reason)"
        case let .refused(server, what, reason):
            "PostgreSQL at \(server) refused the connection (\(what)): \(reason)"
        case let .statementFailed(server, what, sqlState, message, _):
            "PostgreSQL at \(server) failed \(what): \(message) (SQLSTATE \(sqlState))"
        case .preparedTransactionsDisabled(let server):
            "PostgreSQL at \(server) has max_prepared_transactions = 0, and exactly-once needs prepared transactions: set max_prepared_transactions above 0 on the server (at least the number of the job's tasks writing to it), or choose at-least-once explicitly (PostgresSink guarantee .atLeastOnce, or the job's --guarantee at-least-once)"
        case let .invalidRow(table, reason):
            "a row for PostgreSQL table \(table): \(reason)"
        }
    }
}
