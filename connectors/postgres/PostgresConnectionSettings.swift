import Foundation

/// Where a ``PostgresSink`` connects and as whom. Its ``description`` never shows the password.
///
/// ```swift
/// let settings = try PostgresConnectionSettings(url: "postgresql://sluice@127.0.0.1:5432/analytics?sslmode=require")
/// ```
public struct PostgresConnectionSettings: Sendable, Hashable, CustomStringConvertible {
    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The user to log in as.
    public var user: String
    /// The user's password, if the server asks for one.
    public var password: String?
    /// The database; the user's name when `nil`, as with libpq.
    public var database: String?
    /// Whether connections use TLS.
    public var tls: PostgresTLS
    /// How long one connection attempt may take.
    public var connectTimeout: Duration
    /// How long a statement may wait for a row lock (the server's `lock_timeout`) before it fails
    /// and the worker retries from its last checkpoint; `nil` leaves the server's setting. A
    /// transaction left open by a frozen worker that still owns the same rows would otherwise
    /// block its successor for as long as the frozen worker's connection lives.
    public var lockTimeout: Duration? = .seconds(60)
    /// How long the sink waits for the server's answer to one statement before it closes the
    /// connection and fails as if the server were unreachable (the worker retries): a server
    /// that went silent, or a network that dropped the connection without a word.
    public var responseTimeout: Duration = .seconds(120)

    /// Settings for `user` at `host:port`.
    public init(
        host: String, port: Int = 5432, user: String, password: String? = nil, database: String? = nil,
        tls: PostgresTLS = .disable, connectTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.connectTimeout = connectTimeout
    }

    /// Settings from a libpq connection URL,
    /// `postgresql://USER[:PASSWORD]@HOST[:PORT][/DATABASE][?sslmode=MODE&sslrootcert=FILE&connect_timeout=SECONDS]`
    /// (`postgres://` too). A password absent from the URL comes from `PGPASSWORD` in
    /// `environment`, as with libpq; `sslmode` is `disable`, `prefer`, `require` or `verify-full`
    /// (`disable` by default).
    ///
    /// - Throws: ``PostgresSinkError/invalidSettings(_:)`` naming what is wrong, never quoting the password.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              scheme == "postgresql" || scheme == "postgres"
        else {
            throw PostgresSinkError.invalidSettings(
                "expected a URL postgresql://USER@HOST:PORT/DATABASE, got \(Self.redacted(url))")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresSinkError.invalidSettings("the URL \(Self.redacted(url)) names no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresSinkError.invalidSettings("the URL \(Self.redacted(url)) names no user (postgresql://USER@HOST…)")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.init(
            host: host, port: components.port ?? 5432, user: user,
            password: components.password ?? environment["PGPASSWORD"], database: path.isEmpty ? nil : path)
        var mode = "disable"
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode": mode = item.value ?? ""
            case "sslrootcert": rootCertificate = item.value
            case "connect_timeout":
                guard let seconds = item.value.flatMap(Int.init), seconds > 0 else {
                    throw PostgresSinkError.invalidSettings("connect_timeout takes whole seconds above 0, got '\(item.value ?? "")'")
                }
                connectTimeout = .seconds(seconds)
            default:
                throw PostgresSinkError.invalidSettings(
                    "unknown URL parameter '\(item.name)' (known: sslmode, sslrootcert, connect_timeout)")
            }
        }
        switch mode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer
        case "require": tls = .require
        case "verify-full": tls = .verifyFull(rootCertificate: rootCertificate)
        default:
            throw PostgresSinkError.invalidSettings("sslmode takes disable, prefer, require or verify-full, got '\(mode)'")
        }
    }

    /// `host:port`, how errors name the server.
    public var server: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The database the connection opens.
    public var databaseName: String { database ?? user }

    /// `postgresql://USER@HOST:PORT/DATABASE?sslmode=MODE`, without the password.
    public var description: String {
        "postgresql://\(user)@\(server)/\(databaseName)?sslmode=\(tls.mode)"
    }

    /// `url` with any password replaced by `***`, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "(an unreadable URL)" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "(an unreadable URL)"
    }
}
