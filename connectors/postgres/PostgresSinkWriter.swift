import PostgresNIO
import Sluice

/// One task's way into a ``PostgresSink``: its own connection, its rows of the current
/// checkpoint interval in one transaction, and its part in the task's checkpoints.
///
/// ``write(_:)`` runs on the task's thread, the participant calls on the worker's driver thread
/// while no task runs; the engine never runs them at the same time, so the writer's state needs
/// no lock. Every call blocks its thread until the server answered.
final class PostgresSinkWriter<Element>: SinkWriter {
    let participantID: String
    private let sink: PostgresSink<Element>
    /// Whether checkpoints prepare the transaction (exactly-once) or commit it.
    private let exactlyOnce: Bool
    private var session: PostgresSession?
    /// Rows accepted but not sent yet.
    private var pending: [[PostgresValue]] = []
    /// Whether a transaction holding this interval's rows is open on ``session``.
    private var transactionOpen = false
    /// The name of the transaction this writer prepared and has not finished.
    private var prepared: String?

    init(sink: PostgresSink<Element>, participantID: String, exactlyOnce: Bool) {
        self.sink = sink
        self.participantID = participantID
        self.exactlyOnce = exactlyOnce
        pending.reserveCapacity(sink.batchRows)
    }

    deinit {
        if let session { sink.release(session) }
    }

    // MARK: Rows

    func write(_ elements: [Element]) throws {
        let width = sink.statements.columns.count
        for (index, element) in elements.enumerated() {
            let values: [PostgresValue]
            do {
                values = try sink.row(element)
            } catch {
                throw RecordRejected(index: index, underlying: PostgresSinkError.invalidRow(table: sink.statements.table, reason: "\(error)"))
            }
            guard values.count == width else {
                throw RecordRejected(index: index, underlying: PostgresSinkError.invalidRow(
                    table: sink.statements.table, reason: "\(values.count) values for \(width) columns \(sink.statements.columns)"))
            }
            pending.append(values)
            if pending.count >= sink.batchRows { try flush() }
        }
    }

    /// Sends the pending rows inside this interval's transaction, beginning it if needed.
    private func flush() throws {
        guard !pending.isEmpty else { return }
        let session = try connected()
        if !transactionOpen {
            try session.run("BEGIN", what: "beginning a transaction")
            transactionOpen = true
        }
        let rows = sink.statements.deduplicated(pending)
        let statements = sink.statements
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + statements.rowsPerStatement)
            var binds = PostgresBindings(capacity: (end - start) * statements.columns.count)
            for row in rows[start..<end] {
                for value in row { try value.append(to: &binds) }
            }
            try session.run(statements.insert(rows: end - start), binds: binds, what: "writing \(end - start) rows into \(statements.table)")
            start = end
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// The writer's connection for rows, made anew when it broke between transactions.
    private func connected() throws -> PostgresSession {
        if let session, !session.isClosed { return session }
        guard !transactionOpen else {
            // The rows sent in the broken connection's transaction are gone: the task must rewind.
            throw PostgresSinkError.unreachable(
                server: sink.settings.server, what: "writing into \(sink.statements.table)", reason: "the connection was lost mid-transaction")
        }
        return try reconnect()
    }

    /// The connection for participant calls, made anew when it broke: a prepared transaction is
    /// finished by name from any connection.
    private func connectedForRecovery() throws -> PostgresSession {
        if let session, !session.isClosed { return session }
        transactionOpen = false
        return try reconnect()
    }

    private func reconnect() throws -> PostgresSession {
        if let session { sink.release(session) }
        session = nil
        let fresh = try sink.connect(exactlyOnce: exactlyOnce)
        session = fresh
        return fresh
    }

    // MARK: Checkpoints

    /// Flushes the interval's rows and ends their transaction: prepared under the attempt's
    /// name (exactly-once) or committed (at-least-once).
    func prepare(_ attempt: CheckpointAttempt) throws {
        try flush()
        guard transactionOpen, let session else { return }
        if exactlyOnce {
            try session.run(
                "PREPARE TRANSACTION \(PostgresStatements.literal(attempt.name))", what: "preparing transaction \(attempt.name)")
            prepared = attempt.name
        } else {
            try session.run("COMMIT", what: "committing the rows of \(attempt)")
        }
        transactionOpen = false
    }

    /// The prepared transaction's name, which the restored checkpoint hands back to
    /// ``recover(_:)``.
    func preCommit(_ attempt: CheckpointAttempt) throws -> [UInt8]? {
        guard exactlyOnce, let prepared, prepared == attempt.name else { return nil }
        return Array(prepared.utf8)
    }

    /// The job committed the checkpoint: `COMMIT PREPARED`; one already committed (by an
    /// earlier try, or by a recovery) is fine.
    func commit(_ attempt: CheckpointAttempt, preCommitted: [UInt8]?) throws {
        guard let preCommitted else { return }
        let name = String(decoding: preCommitted, as: UTF8.self)
        try finish(name, commit: true, session: try connectedForRecovery())
        if prepared == name { prepared = nil }
    }

    /// Rolls back the open transaction. A prepared one stays prepared: an abort may follow a
    /// decision whose outcome the worker could not learn (a commit cut short), and only the
    /// next ``recover(_:)``, which knows the checkpoint the task resumes from, may roll it back.
    func abort(_ attempt: CheckpointAttempt) {
        pending.removeAll(keepingCapacity: true)
        prepared = nil
        guard transactionOpen else { return }
        transactionOpen = false
        guard let session, !session.isClosed else { return }
        do {
            try session.run("ROLLBACK", what: "rolling back the rows of \(attempt)")
        } catch {
            sink.logger.warning("\(error)")
            sink.release(session)
            self.session = nil
        }
    }

    /// Commits the prepared transaction the restored checkpoint names, if it is still prepared,
    /// and rolls back every other prepared transaction of the task: they belong to attempts
    /// that never committed. The connection is made here, so a server that refuses
    /// exactly-once (`max_prepared_transactions = 0`) stops the job before any row is read.
    func recover(_ recovery: TaskRecovery) throws {
        pending.removeAll(keepingCapacity: true)
        transactionOpen = false
        prepared = nil
        let session = try connectedForRecovery()
        let committed = recovery.checkpoint != nil ? recovery.preCommitted.map { String(decoding: $0, as: UTF8.self) } : nil
        var binds = PostgresBindings()
        binds.append(recovery.taskPrefix)
        let rows = try session.run(
            "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, $1) ORDER BY prepared",
            binds: binds, what: "listing the prepared transactions of \(recovery.task)")
        for row in rows {
            let gid = try row.decode(String.self)
            try finish(gid, commit: gid == committed, session: session)
            if gid == committed {
                sink.logger.notice("recovery of \(recovery.task) committed the prepared transaction \(gid), which its restored checkpoint names")
            } else {
                sink.logger.info("recovery of \(recovery.task) rolled back the prepared transaction \(gid) of an attempt that did not commit")
            }
        }
    }

    /// `COMMIT PREPARED` or `ROLLBACK PREPARED` `name`; one no longer prepared was finished
    /// before (by this writer, or another worker's recovery).
    private func finish(_ name: String, commit: Bool, session: PostgresSession) throws {
        let verb = commit ? "COMMIT PREPARED" : "ROLLBACK PREPARED"
        do {
            try session.run("\(verb) \(PostgresStatements.literal(name))", what: "\(verb) \(name)")
        } catch PostgresSinkError.statementFailed(_, _, let sqlState, _, _) where sqlState == "42704" {
            // undefined_object: no prepared transaction of that name any more.
        }
    }
}
