import ArgumentParser
import Foundation

/// A `--config` file: `key = value` lines, `#` comments and blank lines skipped.
///
/// ```
/// bootstrap = kafka-1:9092,kafka-2:9092
/// guarantee = exactly-once
/// consumer.session-timeout = 6s
/// producer.linger = 5ms
/// kafka.security.protocol = ssl          # any librdkafka property, every client
/// consumer.kafka.fetch.min.bytes = 1024  # any librdkafka property, the consumer only
/// ```
///
/// The typed keys are ``ConfigKey/all``: each sets the `run` option of the same name
/// (`consumer.session-timeout` sets `--consumer-session-timeout`), below the command line and
/// the `SLUICE_*` variables. A key given twice, an unknown key or a bad value is an error
/// naming the file, the line and the key.
struct ConfigFile: Equatable {
    /// The typed keys' values, by ``ConfigKey/option``.
    var options: [String: String] = [:]
    /// `kafka.*` properties, for every client.
    var properties: [String: String] = [:]
    /// `consumer.kafka.*` properties.
    var consumerProperties: [String: String] = [:]
    /// `producer.kafka.*` properties.
    var producerProperties: [String: String] = [:]

    /// Reads and checks `path`; when `skippingBadLines`, a bad line is left out instead of
    /// failing the whole file (for the arguments added before parsing: `run` reads the file
    /// again and reports it, while the good lines, `bootstrap` say, still count).
    static func read(_ path: String, skippingBadLines: Bool = false) throws -> ConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("--config \(path): cannot read it (\((error as NSError).localizedDescription))")
        }
        return try parse(text, path: path, skippingBadLines: skippingBadLines)
    }

    /// Parses and checks `text`, naming `path` in errors.
    static func parse(_ text: String, path: String, skippingBadLines: Bool = false) throws -> ConfigFile {
        var file = ConfigFile()
        var seen: [String: Int] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                try file.add(line, number: index + 1, path: path, seen: &seen)
            } catch where skippingBadLines {
                continue
            }
        }
        return file
    }

    /// Adds line `number`, `line`, of the file at `path`.
    private mutating func add(_ line: String, number: Int, path: String, seen: inout [String: Int]) throws {
        let place = "--config \(path) line \(number)"
        // A malformed line is not quoted: it may hold a secret.
        guard let equals = line.firstIndex(of: "=") else {
            throw ValidationError("\(place): expected key = value, got no '='")
        }
        let key = line[..<equals].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else { throw ValidationError("\(place): expected key = value, got no key before '='") }
        if let first = seen[key] {
            throw ValidationError("\(place): key \(key) is already set on line \(first)")
        }
        seen[key] = number
        if let (prefix, property) = Self.passthrough(key) {
            guard !property.isEmpty else { throw ValidationError("\(place): key \(key) names no librdkafka property") }
            switch prefix {
            case "consumer.kafka.": consumerProperties[property] = value
            case "producer.kafka.": producerProperties[property] = value
            default: properties[property] = value
            }
        } else if let typed = ConfigKey.named(key) {
            guard typed.accepts(value) else {
                throw ValidationError("\(place): key \(key): '\(value)' is not \(typed.expected)")
            }
            options[typed.option] = value
        } else {
            throw ValidationError(
                "\(place): unknown key \(key) (a librdkafka property is written kafka.<property>, consumer.kafka.<property> or producer.kafka.<property>)")
        }
    }

    /// The prefix and librdkafka property of a passthrough key.
    private static func passthrough(_ key: String) -> (String, String)? {
        for prefix in ["consumer.kafka.", "producer.kafka.", "kafka."] where key.hasPrefix(prefix) {
            return (prefix, String(key.dropFirst(prefix.count)))
        }
        return nil
    }

    /// The file's typed values as `run` arguments, for the options not in `given`: a flag
    /// as itself when true, anything else as `--option=value`, in ``ConfigKey/all``'s order.
    func arguments(notIn given: [String]) -> [String] {
        ConfigKey.all.compactMap { key in
            guard let value = options[key.option],
                  !given.contains(where: { $0 == "--\(key.option)" || $0.hasPrefix("--\(key.option)=") }) else { return nil }
            if key.isFlag { return ConfigKey.flagValue(value) == true ? "--\(key.option)" : nil }
            return "--\(key.option)=\(value)"
        }
    }
}
