import Foundation

/// Errors of the broker rig: missing set-up, a broker that did not start, a failed command,
/// verification or switch to librdkafka 2.16.
public enum BrokerRigError: Error, CustomStringConvertible, Sendable {
    /// The project's Python environment is missing; the message says to run `scripts/setup.sh`.
    case setupMissing(String)
    /// The broker did not report `BOOTSTRAP=` in time or exited; carries its stderr tail.
    case startFailed(String)
    /// A control command sent to a running broker failed or got no reply.
    case commandFailed(String)
    /// `scripts/verify.py` failed or printed output that could not be parsed.
    case verifierFailed(String)
    /// This process could not be started again on librdkafka 2.16 (see ``Librdkafka216``).
    case librdkafkaSwitchFailed(String)
    /// The test PostgreSQL server (``TestPostgres``) did not start, or a command to it failed.
    case postgresFailed(String)

    /// A human-readable description of the failure.
    public var description: String {
        switch self {
        case .setupMissing(let message): return "broker rig set-up missing: \(message)"
        case .startFailed(let message): return "test broker did not start: \(message)"
        case .commandFailed(let message): return "test broker command failed: \(message)"
        case .verifierFailed(let message): return "verify.py failed: \(message)"
        case .librdkafkaSwitchFailed(let message): return "cannot run on librdkafka 2.16: \(message)"
        case .postgresFailed(let message): return "test PostgreSQL: \(message)"
        }
    }

    /// The description in one line: its first line, then the last line of the stderr tail
    /// that follows it, if any (for a program that reports a failure in one line).
    public var summary: String {
        let lines = description.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let first = lines.first, lines.count > 1, let last = lines.last else { return description }
        return "\(first) \(last)"
    }
}
