/// Which librdkafka property values may be secrets, and what is shown in their place.
///
/// Every layer that could print a property's value (errors, log lines, a job's `plan`, the
/// operator commands) asks here, so one rule decides: the values of `sasl.*` and `ssl.*`
/// properties (but the SASL mechanism), and of any property whose name says password,
/// secret, token, key, credential or JAAS, are never shown. The rule goes by the name alone,
/// so a misspelt or unknown property that looks like a secret (`sasl.pasword`,
/// `my.api.token`) is hidden too.
public enum SensitiveProperty {
    /// What a hidden value is shown as.
    public static let redaction = "[redacted]"

    private static let shownSecurityProperties: Set<String> = ["sasl.mechanism", "sasl.mechanisms"]
    private static let secretWords = ["pass", "secret", "token", "key", "credential", "jaas", "private", "auth"]

    /// Whether the value of property `name` may be a secret.
    public static func isSensitive(_ name: String) -> Bool {
        let name = name.lowercased()
        if shownSecurityProperties.contains(name) { return false }
        if name.hasPrefix("sasl.") || name.hasPrefix("ssl.") { return true }
        return secretWords.contains { name.contains($0) }
    }

    /// `value` as property `name` may show it: itself, or ``redaction`` for a sensitive one.
    public static func shown(_ value: String, for name: String) -> String {
        isSensitive(name) ? redaction : value
    }

    /// The values of the sensitive properties among `properties`, for ``scrub(_:of:)``.
    public static func secrets(in properties: some Sequence<(String, String)>) -> [String] {
        properties.filter { isSensitive($0.0) && !$0.1.isEmpty }.map(\.1)
    }

    /// `text` with every occurrence of each of `values` replaced by ``redaction``, for text
    /// that may quote a value: librdkafka's messages and log lines.
    ///
    /// A value of fewer than four characters is replaced only where quoted (`"…"`), so that a
    /// short value does not blot out the text around it; and since librdkafka cuts its
    /// messages at 512 bytes, a long value's first 16 characters end the text where they
    /// appear.
    public static func scrub(_ text: String, of values: [String]) -> String {
        var text = text
        for value in values.sorted(by: { $0.count > $1.count }) where !value.isEmpty {
            if value.count < 4 {
                text = text.replacing("\"\(value)\"", with: "\"\(redaction)\"")
                continue
            }
            text = text.replacing(value, with: redaction)
            if value.count > 16, let cut = text.firstRange(of: value.prefix(16)) {
                text = String(text[..<cut.lowerBound]) + redaction
            }
        }
        return text
    }
}

