import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Sluice
import Synchronization

/// Writes a job's results as rows into a PostgreSQL table, exactly once through the job's
/// checkpoints (prepared transactions) or at least once.
///
/// ```swift
/// let sink = try PostgresSink<(word: String, start: Int64, count: Int64)>(
///     PostgresConnectionSettings(url: "postgresql://sluice@127.0.0.1:5432/analytics"),
///     table: "word_counts", columns: ["word", "window_start", "count"],
///     mode: .upsert(key: ["word", "window_start"])
/// ) { [.text($0.word), .int64($0.start), .int64($0.count)] }
/// stream.sink(to: sink)
/// ```
///
/// Each task writes through a connection of its own (``makeWriter(for:)``), in batches of up to
/// ``batchRows`` rows per multi-row `INSERT`, all rows of one checkpoint interval in one
/// transaction. What happens to that transaction at the checkpoint is the ``guarantee``:
/// - **exactly-once** (the default, when the job runs exactly-once): `PREPARE TRANSACTION` under
///   the ``CheckpointAttempt/name`` of the task's attempt; the name goes into the task's
///   checkpoint manifest; once the job's Kafka transaction committed, `COMMIT PREPARED`. A worker
///   that dies in between leaves the transaction prepared; whoever restores the task commits it,
///   because the committed manifest names it, and rolls back every other prepared transaction
///   of the task. Needs `max_prepared_transactions` above 0 (the sink refuses to start
///   otherwise, in one line naming the setting);
/// - **at-least-once**: `COMMIT` before the job commits its input positions.
///
/// A server that cannot be reached, or restarts, fails the write with a retriable
/// ``PostgresSinkError``: the worker restarts from its last checkpoint as its
/// ``JobConfiguration/restartStrategy`` allows, and the rows of the interval are written again.
/// Errors name the server as `host:port`, never the password.
public final class PostgresSink<Element>: Sink {
    public typealias Element = Element

    /// `postgres(<table>)`, for plans and errors.
    public let name: String
    /// Where the sink connects.
    public let settings: PostgresConnectionSettings
    /// What the sink promises when the job runs exactly-once.
    public let guarantee: PostgresSinkGuarantee
    /// Rows per `INSERT` statement (fewer when the columns would pass 65,535 parameters).
    public var batchRows: Int { statements.rowsPerStatement }

    let statements: PostgresStatements
    let row: @Sendable (Element) throws -> [PostgresValue]
    let logger: Logger
    private let tls: PostgresConnection.Configuration.TLS
    private let setUp: [String]
    private let group: MultiThreadedEventLoopGroup
    private let state = Mutex(SharedState())

    /// What the writers share: connection ids, whether the set-up ran, the open sessions.
    private struct SharedState {
        var nextConnectionID = 0
        var setUpDone = false
        var closed = false
        var sessions: [Int: PostgresSession] = [:]
    }

    /// A sink writing the rows `row` makes of each element into `table`.
    ///
    /// - Parameters:
    ///   - settings: the server, user, password and TLS.
    ///   - schema: the table's schema, when not the user's search path.
    ///   - table: the table (quoted as given: `word_counts`, not `WORD_COUNTS`).
    ///   - columns: the columns `row`'s values go into, in order.
    ///   - mode: plain inserts, or upserts on a key.
    ///   - guarantee: exactly-once (prepared transactions) or at-least-once, when the job runs
    ///     exactly-once; a job run at-least-once gets at-least-once.
    ///   - batchRows: rows per statement.
    ///   - setUp: statements run once, before the first row, in a transaction that holds a
    ///     PostgreSQL advisory lock so workers starting together take turns (for example a
    ///     `CREATE TABLE IF NOT EXISTS`).
    ///   - row: the column values of one element, one per column. A throw rejects the element:
    ///     the job's bad-input policy decides.
    /// - Throws: ``PostgresSinkError/invalidSettings(_:)`` for columns, key or TLS settings that
    ///   make no sense.
    public init(
        _ settings: PostgresConnectionSettings, schema: String? = nil, table: String, columns: [String],
        mode: PostgresWriteMode = .insert, guarantee: PostgresSinkGuarantee = .exactlyOnce, batchRows: Int = 1_000,
        setUp: [String] = [], row: @escaping @Sendable (Element) throws -> [PostgresValue]
    ) throws {
        self.settings = settings
        self.guarantee = guarantee
        self.setUp = setUp
        self.row = row
        name = "postgres(\(table))"
        statements = try PostgresStatements(schema: schema, table: table, columns: columns, mode: mode, batchRows: batchRows)
        do {
            tls = try settings.tls.connectionTLS()
        } catch {
            throw PostgresSinkError.invalidSettings("TLS (sslmode \(settings.tls.mode)): \(error)")
        }
        var logger = Logger(label: "sluice.postgres")
        logger[metadataKey: "server"] = "\(settings.server)"
        logger[metadataKey: "table"] = "\(table)"
        self.logger = logger
        // Made last, so settings that throw leave no thread behind.
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    deinit {
        if !state.withLock({ $0.closed }) { group.shutdownGracefully { _ in } }
    }

    /// A writer for `task`, with a connection of its own, made when the task first needs it
    /// (in ``TwoPhaseCommitParticipant/recover(_:)``).
    public func makeWriter(for task: SinkTaskContext) throws -> any SinkWriter<Element> {
        let prefix = CheckpointAttempt.taskPrefix(job: task.job, task: task.task)
        // PostgreSQL's transaction identifiers have at most 199 bytes; sequence and incarnation
        // take up to 37 after the prefix.
        guard prefix.utf8.count + 37 <= 199 else {
            throw PostgresSinkError.invalidSettings(
                "the job name \(task.job) is too long to name prepared transactions (at most about 150 characters)")
        }
        return PostgresSinkWriter(
            sink: self, participantID: task.participantID,
            exactlyOnce: guarantee == .exactlyOnce && task.guarantee == .exactlyOnce)
    }

    /// Closes every connection and stops the sink's event loop.
    public func close() {
        let sessions = state.withLock { state in
            state.closed = true
            defer { state.sessions = [:] }
            return Array(state.sessions.values)
        }
        for session in sessions { session.close() }
        try? group.syncShutdownGracefully()
    }

    /// A new connection for a writer; the first one also runs the set-up statements.
    func connect(exactlyOnce: Bool) throws -> PostgresSession {
        let id = try state.withLock { state in
            guard !state.closed else {
                throw PostgresSinkError.unreachable(server: settings.server, what: "connecting", reason: "the sink was closed")
            }
            state.nextConnectionID += 1
            return state.nextConnectionID
        }
        let session = try PostgresSession.connect(settings, tls: tls, on: group.next(), id: id, logger: logger)
        do {
            if exactlyOnce { try requirePreparedTransactions(session) }
            try runSetUp(session)
        } catch {
            session.close()
            throw error
        }
        state.withLock { $0.sessions[id] = session }
        return session
    }

    /// The writer's connection `session` is closed and forgotten.
    func release(_ session: PostgresSession) {
        session.close()
        _ = state.withLock { $0.sessions.removeValue(forKey: session.id) }
    }

    private func requirePreparedTransactions(_ session: PostgresSession) throws {
        let rows = try session.run("SHOW max_prepared_transactions", what: "reading max_prepared_transactions")
        let value = try rows.first.map { try $0.decode(String.self) }
        if value == "0" { throw PostgresSinkError.preparedTransactionsDisabled(server: settings.server) }
    }

    private func runSetUp(_ session: PostgresSession) throws {
        guard !setUp.isEmpty, !state.withLock({ $0.setUpDone }) else { return }
        try session.run("BEGIN", what: "beginning the set-up")
        do {
            try session.run("SELECT pg_advisory_xact_lock(hashtext('sluice.postgres-sink.set-up'))", what: "locking the set-up")
            for statement in setUp { try session.run(statement, what: "the set-up statement \(statement)") }
            try session.run("COMMIT", what: "committing the set-up")
        } catch {
            _ = try? session.run("ROLLBACK", what: "rolling back the set-up")
            throw error
        }
        state.withLock { $0.setUpDone = true }
    }
}

extension PostgresSink where Element: Encodable {
    /// A sink writing each element's encoded fields into the columns of the same names
    /// (``PostgresRowEncoder``): strings, numbers, booleans, `Date`, `UUID`, `Data` and
    /// `Decimal` as such, `nil` and absent fields as `NULL`, other values as JSON (`jsonb`).
    public convenience init(
        _ settings: PostgresConnectionSettings, schema: String? = nil, table: String, columns: [String],
        mode: PostgresWriteMode = .insert, guarantee: PostgresSinkGuarantee = .exactlyOnce, batchRows: Int = 1_000,
        setUp: [String] = []
    ) throws {
        try self.init(
            settings, schema: schema, table: table, columns: columns, mode: mode, guarantee: guarantee, batchRows: batchRows,
            setUp: setUp, row: EncodableRows<Element>(encoder: PostgresRowEncoder(columns: columns)).row)
    }
}

/// The rows of `Encodable` elements, by field name.
private struct EncodableRows<Element: Encodable>: Sendable {
    let encoder: PostgresRowEncoder

    func row(_ element: Element) throws -> [PostgresValue] {
        try encoder.encode(element)
    }
}
