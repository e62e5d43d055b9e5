/// Whether and how a ``PostgresSink`` encrypts its connections, as libpq's `sslmode` does.
public enum PostgresTLS: Sendable, Hashable {
    /// No TLS (`sslmode=disable`).
    case disable
    /// TLS when the server offers it, without checking its certificate (`sslmode=prefer`).
    case prefer
    /// TLS or no connection, without checking the server's certificate (`sslmode=require`).
    case require
    /// TLS with the server's certificate checked against the system's trust roots, or against
    /// the PEM file `rootCertificate`, and its name against the host (`sslmode=verify-full`,
    /// `sslrootcert=…`).
    case verifyFull(rootCertificate: String?)

    /// The `sslmode` value of this setting.
    public var mode: String {
        switch self {
        case .disable: "disable"
        case .prefer: "prefer"
        case .require: "require"
        case .verifyFull: "verify-full"
        }
    }
}
