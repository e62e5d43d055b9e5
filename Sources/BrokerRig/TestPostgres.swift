import Foundation

/// A throw-away PostgreSQL server in a child process (`scripts/postgres.py`): Debian's
/// `postgresql` in a new temporary directory on a free loopback port, stopped and deleted by
/// ``stop()``, when the value is released, or when the test process dies (the launcher stops
/// when its stdin pipe, which this object holds open, reaches end of file).
///
/// ```swift
/// let postgres = try TestPostgres.start()
/// defer { postgres.stop() }
/// // ... connect to postgres.url ...
/// let rows = try postgres.query("SELECT word, count FROM word_counts")
/// ```
public final class TestPostgres: @unchecked Sendable {
    /// `postgresql://sluice@127.0.0.1:PORT/sluice`: the superuser `sluice` and its database.
    /// Without a password set at start, it logs in without one.
    public let url: String
    /// `127.0.0.1:PORT`, as errors name the server.
    public let server: String

    private let launcher: ChildProcess
    private let lock = NSLock()
    private var stopped = false

    private init(url: String, launcher: ChildProcess) {
        self.url = url
        self.launcher = launcher
        server = URLComponents(string: url).map { "\($0.host ?? "?"):\($0.port ?? 0)" } ?? url
    }

    deinit { stop() }

    /// Starts a server and returns once it accepts connections.
    ///
    /// - Parameters:
    ///   - maxPreparedTransactions: the server's `max_prepared_transactions` (0: no prepared
    ///     transactions, as on many managed services).
    ///   - password: a password TCP logins must give; none by default.
    ///   - timeout: seconds to wait for the server.
    /// - Throws: ``BrokerRigError/setupMissing(_:)`` if `scripts/setup.sh` has not run,
    ///   ``BrokerRigError/postgresFailed(_:)`` with the launcher's stderr tail otherwise.
    public static func start(maxPreparedTransactions: Int = 64, password: String? = nil, timeout: Double = 60) throws -> TestPostgres {
        try RigPaths.requireSetup(script: "postgres.py")
        var arguments = [RigPaths.script("postgres.py"), "--max-prepared-transactions", String(maxPreparedTransactions)]
        if let password { arguments += ["--password", password] }
        let launcher: ChildProcess
        do {
            launcher = try ChildProcess(RigPaths.python, arguments, directory: RigPaths.root, takesInput: true, output: .captured)
        } catch {
            throw BrokerRigError.postgresFailed("cannot run \(RigPaths.python): \(error)")
        }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while let line = launcher.nextLine(timeout: max(0, deadline.timeIntervalSinceNow)) {
            if line.hasPrefix("POSTGRES=") {
                return TestPostgres(url: String(line.dropFirst("POSTGRES=".count)), launcher: launcher)
            }
        }
        let why = launcher.isRunning ? "no POSTGRES= line within \(timeout) s"
            : "postgres.py exited with status \(launcher.terminationStatus)"
        launcher.closeInput()
        launcher.stop(grace: 15)
        throw BrokerRigError.postgresFailed("\(why); stderr:\n\(launcher.errorTail)")
    }

    /// The rows `sql` returns, run by `psql` as the superuser: each a list of column values as
    /// text, `nil` for `NULL`.
    public func query(_ sql: String) throws -> [[String?]] {
        let reply = try command("query \(sql.replacingOccurrences(of: "\n", with: " "))")
        guard let rows = try? JSONDecoder().decode([[String?]].self, from: Data(reply.utf8)) else {
            throw BrokerRigError.postgresFailed("query \(sql): unreadable reply \(reply)")
        }
        return rows
    }

    /// Shuts the server down (fast: connections end at once); its data stays for ``startServer()``.
    public func stopServer() throws { try command("stop-server") }

    /// Starts the stopped server again on the same port and data.
    public func startServer() throws { try command("start-server", timeout: 90) }

    /// SIGKILLs the server: a crash, recovered by the next ``startServer()``.
    public func killServer() throws { try command("kill-server") }

    /// The launcher's recent stderr, for failure messages.
    public var logTail: String { launcher.errorTail }

    @discardableResult
    private func command(_ line: String, timeout: Double = 60) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { throw BrokerRigError.postgresFailed("\(line): the server was stopped") }
        do {
            try launcher.send(line)
        } catch {
            throw BrokerRigError.postgresFailed("\(line): \(error); stderr:\n\(launcher.errorTail)")
        }
        guard let reply = launcher.nextLine(timeout: timeout) else {
            throw BrokerRigError.postgresFailed("\(line): no reply; stderr:\n\(launcher.errorTail)")
        }
        if reply == "OK" { return "" }
        if reply.hasPrefix("OK ") { return String(reply.dropFirst(3)) }
        throw BrokerRigError.postgresFailed("\(line): \(reply)")
    }

    /// Stops the server and deletes its directory. Safe to call more than once.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        launcher.closeInput()
        launcher.stop(grace: 20)
    }
}
