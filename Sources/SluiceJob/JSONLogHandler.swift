import Foundation
import Logging

/// Writes each log line as one JSON object on one line, for log shippers: `timestamp` (ISO-8601
/// UTC with milliseconds), `level`, `label`, `message`, then every metadata key as a field of
/// its own, in key order (the handler's metadata, its metadata provider's, the call's, and
/// `error.message` and `error.type` when the call passes an error).
///
/// ```
/// {"timestamp":"2026-12-07T16:20:00.125Z","level":"notice","label":"sluice.status","message":"word-count w-0: 12.3k rec/s in, …","checkpoints":57,"job":"word-count",…}
/// ```
///
/// Numbers and Booleans given as `.stringConvertible` stay JSON numbers and Booleans, nested
/// metadata become objects and arrays, anything else a string. A metadata key that is one of
/// the four fixed names is written as `metadata.<key>`, so no line holds a key twice.
struct JSONLogHandler: LogHandler {
    /// The names every line starts with.
    static let fixedFields: Set<String> = ["timestamp", "level", "label", "message"]

    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let write: @Sendable (String) -> Void

    /// A handler for the logger `label` writing each line, newline included, through `write`.
    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
         write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.write = write
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, later in later } }
        if let explicit = event.metadata { fields.merge(explicit) { _, later in later } }
        if let error = event.error {
            // The keys swift-log's own text handler uses.
            fields["error.message"] = .string("\(error)")
            fields["error.type"] = .string(String(reflecting: type(of: error)))
        }
        write(Self.line(timestamp: Self.now(), level: event.level, label: label, message: "\(event.message)", metadata: fields))
    }

    /// The current time as lines carry it: ISO-8601 UTC with milliseconds.
    static func now() -> String {
        ISO8601Time.text(Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down)))
    }

    /// The JSON object of one log line, with its newline.
    static func line(timestamp: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var out = "{"
        appendString("timestamp", to: &out)
        out += ":"
        appendString(timestamp, to: &out)
        for (key, value) in [("level", level.rawValue), ("label", label), ("message", message)] {
            out += ","
            appendString(key, to: &out)
            out += ":"
            appendString(value, to: &out)
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            out += ","
            appendString(fixedFields.contains(key) ? "metadata.\(key)" : key, to: &out)
            out += ":"
            append(value, to: &out)
        }
        return out + "}\n"
    }

    private static func append(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &out)
        case .stringConvertible(let convertible):
            switch convertible {
            case let flag as Bool:
                out += flag ? "true" : "false"
            case let integer as any BinaryInteger:
                out += "\(integer)"
            case let number as any BinaryFloatingPoint where number.isFinite:
                out += "\(number)"
            default:
                appendString(convertible.description, to: &out)
            }
        case .dictionary(let dictionary):
            out += "{"
            for (index, (key, nested)) in dictionary.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out += "," }
                appendString(key, to: &out)
                out += ":"
                append(nested, to: &out)
            }
            out += "}"
        case .array(let values):
            out += "["
            for (index, nested) in values.enumerated() {
                if index > 0 { out += "," }
                append(nested, to: &out)
            }
            out += "]"
        }
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped, so a
    /// message with newlines stays on its line; everything else as UTF-8.
    private static func appendString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
