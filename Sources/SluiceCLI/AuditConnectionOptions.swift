import ArgumentParser
import Foundation
import RdKafka

/// Where the brokers are for `sluice audit`, which reads them through its own PLAINTEXT
/// client (`KafkaLog`), not librdkafka. The flags are spelled as the other commands' so
/// scripts carry over; a SASL or SSL setting is refused rather than ignored, since ignoring it
/// would read a secured cluster's records in the clear, or fail obscurely.
struct AuditConnectionOptions: ParsableArguments {
    @Option(
        name: [.customLong("bootstrap"), .customLong("bootstrap-servers")],
        help: ArgumentHelp("The brokers, as a comma-separated HOST:PORT list.", valueName: "host:port"))
    var bootstrap: String

    @Option(
        name: .customLong("property"),
        help: ArgumentHelp(
            "client.id=…, or security.protocol=plaintext; SASL, SSL and other settings are refused (PLAINTEXT only).",
            valueName: "key=value"))
    var properties: [String] = []

    @Option(help: ArgumentHelp("How long connecting and each request to a broker may take.", valueName: "seconds"))
    var timeout: Double = 10

    @Flag(help: "Print each data batch's classification on standard error.")
    var verbose = false

    /// A property this command cannot honour; names the key, never a value that may be a
    /// secret.
    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    func validate() throws {
        // A malformed one is not quoted: it may be a secret.
        for property in properties where !property.contains("=") || property.hasPrefix("=") {
            throw ValidationError("--property takes key=value, got \(property.contains("=") ? "no key before '='" : "no '='")")
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout takes 0 < seconds <= 3600") }
    }

    /// The client id to send: `client.id` if given, else `sluice-audit`.
    ///
    /// - Throws: ``Refused`` for a `security.protocol` other than plaintext, any `sasl.` or
    ///   `ssl.` key, and any other property but `client.id`.
    func clientID() throws -> String {
        var clientID = "sluice-audit"
        for property in properties {
            let parts = property.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).trimmingCharacters(in: .whitespaces)
            let value = parts.count > 1 ? String(parts[1]) : ""
            switch key.lowercased() {
            case "client.id":
                clientID = value
            case "security.protocol":
                guard value.lowercased() == "plaintext" else {
                    throw Refused(description: "sluice audit connects in PLAINTEXT only; --property security.protocol=\(SensitiveProperty.shown(value, for: key).uppercased()) is not supported")
                }
            case let other where other.hasPrefix("sasl.") || other.hasPrefix("ssl."):
                throw Refused(description: "sluice audit connects in PLAINTEXT only; --property \(key) (SASL/SSL) is not supported")
            default:
                throw Refused(description: "sluice audit has its own PLAINTEXT client and takes only client.id and security.protocol=plaintext; --property \(key) is not supported")
            }
        }
        return clientID
    }
}
