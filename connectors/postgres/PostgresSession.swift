import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// One connection to the server, used synchronously: each call blocks the calling thread (a
/// task's thread or the worker's driver thread, never an event loop's) until the connection's
/// event loop has the answer. Failures come out as ``PostgresSinkError``s naming the server.
final class PostgresSession: Sendable {
    let settings: PostgresConnectionSettings
    /// The sink's number for the connection.
    let id: Int
    private let connection: PostgresConnection
    private let logger: Logger

    private init(settings: PostgresConnectionSettings, id: Int, connection: PostgresConnection, logger: Logger) {
        self.settings = settings
        self.id = id
        self.connection = connection
        self.logger = logger
    }

    /// Connects, and waits until the server accepted the login.
    static func connect(
        _ settings: PostgresConnectionSettings, tls: PostgresConnection.Configuration.TLS, on eventLoop: any EventLoop,
        id: Int, logger: Logger
    ) throws -> PostgresSession {
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password,
            database: settings.databaseName, tls: tls)
        let timeout = settings.connectTimeout.components
        configuration.options.connectTimeout = .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000)
        configuration.options.additionalStartupParameters = [("application_name", "sluice")]
        if let lockTimeout = settings.lockTimeout {
            let parts = lockTimeout.components
            let millis = parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
            configuration.options.additionalStartupParameters.append(("lock_timeout", "\(millis)ms"))
        }
        do {
            let connection = try PostgresConnection.connect(
                on: eventLoop, configuration: configuration, id: id, logger: logger
            ).wait()
            return PostgresSession(settings: settings, id: id, connection: connection, logger: logger)
        } catch {
            throw Self.failure(error, settings: settings, what: "connecting as \(settings.user) to database \(settings.databaseName)")
        }
    }

    /// Whether the connection is closed (by ``close()``, the server, or the network).
    var isClosed: Bool { connection.isClosed }

    /// Runs `sql` with `binds` and returns its rows; `what` names it in errors. Without an
    /// answer within the settings' ``PostgresConnectionSettings/responseTimeout`` the connection
    /// is closed and the call fails as unreachable.
    @discardableResult
    func run(_ sql: String, binds: PostgresBindings = PostgresBindings(), what: @autoclosure () -> String) throws -> [PostgresRow] {
        // A query written to a closed channel is never answered (PostgresNIO drops it unfailed).
        guard !connection.isClosed else {
            throw PostgresSinkError.unreachable(server: settings.server, what: what(), reason: "the connection was closed")
        }
        let eventLoop = connection.eventLoop
        let answer = eventLoop.makePromise(of: PostgresQueryResult.self)
        let timeout = settings.responseTimeout.components
        let timer = eventLoop.scheduleTask(in: .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000)) {
            answer.fail(ResponseTimeout())
        }
        connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).whenComplete { result in
            timer.cancel()
            answer.completeWith(result)
        }
        do {
            return Array(try answer.futureResult.wait())
        } catch is ResponseTimeout {
            close(waiting: false)
            throw PostgresSinkError.unreachable(
                server: settings.server, what: what(), reason: "no answer within \(settings.responseTimeout); the connection was closed")
        } catch {
            throw Self.failure(error, settings: settings, what: what())
        }
    }

    /// The server did not answer in time.
    private struct ResponseTimeout: Error {}

    /// Closes the connection, and by default waits until it is closed; the server rolls back a
    /// transaction left open on it (not a prepared one).
    func close(waiting: Bool = true) {
        guard !connection.isClosed else { return }
        let closed: EventLoopFuture<Void> = connection.close()
        if waiting { try? closed.wait() }
    }

    /// `error` of PostgresNIO or SwiftNIO as the sink reports it.
    static func failure(_ error: any Error, settings: PostgresConnectionSettings, what: String) -> PostgresSinkError {
        let server = settings.server
        guard let error = error as? PSQLError else {
            return .unreachable(server: server, what: what, reason: reason(error))
        }
        switch error.code {
        case .server:
            let sqlState = error.serverInfo?[.sqlState] ?? "?????"
            let message = error.serverInfo?[.message] ?? "no message"
            if sqlState.hasPrefix("28") { return .refused(server: server, what: what, reason: "\(message) (SQLSTATE \(sqlState))") }
            if sqlState.hasPrefix("08") || sqlState.hasPrefix("57P") {
                return .unreachable(server: server, what: what, reason: "\(message) (SQLSTATE \(sqlState))")
            }
            return .statementFailed(
                server: server, what: what, sqlState: sqlState, message: message,
                retriable: !fatalSQLStateClasses.contains(String(sqlState.prefix(2))))
        case .sslUnsupported:
            return .refused(server: server, what: what, reason: "the server does not support TLS, which sslmode \(settings.tls.mode) requires")
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return .refused(server: server, what: what, reason: "TLS could not be set up")
        case .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
            let missing = error.code == .authMechanismRequiresPassword ? ": the server asks for a password and none was given (URL or PGPASSWORD)" : ""
            return .refused(server: server, what: what, reason: "authentication failed\(missing)")
        case .serverClosedConnection, .uncleanShutdown:
            return .unreachable(server: server, what: what, reason: "the server closed the connection\(error.underlying.map { ": \(reason($0))" } ?? "")")
        case .clientClosedConnection:
            return .unreachable(server: server, what: what, reason: "the connection was closed")
        default:
            return .unreachable(server: server, what: what, reason: error.underlying.map(reason) ?? "\(error.code)")
        }
    }

    /// SQLSTATE classes that retrying the same statement cannot fix: feature not supported, a row
    /// affected twice by one statement, data
    /// exceptions, integrity constraint violations, invalid transaction or catalog names,
    /// syntax errors and undefined objects, with-check-option violations.
    private static let fatalSQLStateClasses: Set<String> = ["0A", "21", "22", "23", "3D", "3F", "42", "44"]

    /// The cause of a connection failure, without the wrapper types' noise.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return reason(first.error)
        }
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode))
        }
        if let error = error as? PSQLError {
            return error.underlying.map(reason) ?? "\(error.code)"
        }
        return "\(error)"
    }
}
