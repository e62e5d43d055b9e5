/// Errors of the broker rig: missing set-up, a broker that did not start, a failed command
/// or verification.
public enum BrokerRigError: Error, CustomStringConvertible, Sendable {
    /// The project's Python environment is missing; the message says to run `scripts/setup.sh`.
    case setupMissing(String)
    /// The broker did not report `BOOTSTRAP=` in time or exited; carries its stderr tail.
    case startFailed(String)
    /// A control command sent to a running broker failed or got no reply.
    case commandFailed(String)
    /// `scripts/verify.py` failed or printed output that could not be parsed.
    case verifierFailed(String)

    /// A human-readable description of the failure.
    public var description: String {
        switch self {
        case .setupMissing(let message): return "broker rig set-up missing: \(message)"
        case .startFailed(let message): return "test broker did not start: \(message)"
        case .commandFailed(let message): return "test broker command failed: \(message)"
        case .verifierFailed(let message): return "verify.py failed: \(message)"
        }
    }
}
