import ArgumentParser
import Foundation

/// librdkafka properties from `--properties-file` and `--property`.
enum KafkaProperties {
    /// The `key=value` lines of `file`; blank lines and lines starting with `#` are skipped.
    static func read(file: String) throws -> [String: String] {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ValidationError("--properties-file \(file): cannot read it (\((error as NSError).localizedDescription))")
        }
        var properties: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let (key, value) = try parse(line, source: "--properties-file \(file) line \(index + 1)")
            properties[key] = value
        }
        return properties
    }

    /// `key=value` split at the first `=`, both trimmed; `source` names where it came from.
    /// A malformed one is not quoted in the error, since it may be a secret.
    static func parse(_ text: String, source: String) throws -> (String, String) {
        guard let equals = text.firstIndex(of: "=") else {
            throw ValidationError("\(source): expected key=value, got no '='")
        }
        let key = text[..<equals].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else { throw ValidationError("\(source): expected key=value, got no key before '='") }
        return (key, value)
    }
}
