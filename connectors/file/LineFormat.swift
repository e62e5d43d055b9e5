import Foundation
import Sluice

/// How a ``FileSink`` turns one element into one line of a part file, and the extension its
/// part files carry.
///
/// ```swift
/// LineFormat<Reading>.jsonLines()                                  // {"sensor":"s1",…}
/// LineFormat<Reading>.csv { [$0.sensor, String($0.celsius)] }      // s1,21.5
/// LineFormat<(String, Int)>.text { "\($0.0)\t\($0.1)" }             // word<TAB>count
/// LineFormat<Reading>.serialized(by: MyCodec(), fileExtension: ".dat")
/// ```
///
/// A line never holds a line break of its own: an element whose text or bytes would is refused
/// (``FileConnectorError/lineBreakInLine(index:)``) and goes to the job's bad-input policy. CSV
/// quotes fields as RFC 4180 says, so a quoted field may hold one.
public struct LineFormat<Element>: Sendable {
    /// The extension of part files, such as `.jsonl`; empty for none.
    public let fileExtension: String
    /// Appends the element's line, without its line break, to the buffer.
    let append: @Sendable (Element, inout [UInt8]) throws -> Void
    /// Whether the appended bytes must be checked for line breaks.
    let checksLineBreaks: Bool

    /// A format appending each element's line with `append`; its bytes must hold no line break
    /// unless `mayBreakLines` says they are quoted (as CSV quotes them).
    public init(fileExtension: String, mayBreakLines: Bool = false,
                append: @escaping @Sendable (Element, inout [UInt8]) throws -> Void) {
        self.fileExtension = fileExtension
        self.append = append
        checksLineBreaks = !mayBreakLines
    }

    /// Each element's text, as UTF-8; part files end in `.txt`.
    public static func text(_ line: @escaping @Sendable (Element) throws -> String) -> LineFormat {
        LineFormat(fileExtension: ".txt") { element, buffer in buffer.append(contentsOf: try line(element).utf8) }
    }

    /// Each element's bytes, from a user mapping.
    public static func bytes(fileExtension: String = "", _ line: @escaping @Sendable (Element) throws -> [UInt8]) -> LineFormat {
        LineFormat(fileExtension: fileExtension) { element, buffer in buffer.append(contentsOf: try line(element)) }
    }

    /// Each element through a `Serializer` (a codec), its bytes as the line.
    public static func serialized<S: Serializer>(by serializer: S, fileExtension: String = "") -> LineFormat
    where S.Value == Element {
        LineFormat(fileExtension: fileExtension) { element, buffer in buffer.append(contentsOf: try serializer.serialize(element)) }
    }

    /// One row of comma-separated fields per element; a field holding a comma, a quote or a line
    /// break is quoted, its quotes doubled (RFC 4180). Part files end in `.csv`.
    public static func csv(_ fields: @escaping @Sendable (Element) throws -> [String]) -> LineFormat {
        LineFormat(fileExtension: ".csv", mayBreakLines: true) { element, buffer in
            for (index, field) in try fields(element).enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                let quoted = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
                guard quoted else {
                    buffer.append(contentsOf: field.utf8)
                    continue
                }
                buffer.append(UInt8(ascii: "\""))
                for byte in field.utf8 {
                    buffer.append(byte)
                    if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                }
                buffer.append(UInt8(ascii: "\""))
            }
        }
    }
}

extension LineFormat where Element: Encodable {
    /// Each element as one line of JSON (JSON Lines); part files end in `.jsonl`.
    public static func jsonLines() -> LineFormat {
        serialized(by: JSONLineSerializer<Element>(), fileExtension: ".jsonl")
    }
}

/// Any `Encodable` value as compact JSON, which holds no line break.
struct JSONLineSerializer<Value: Encodable>: Serializer {
    func serialize(_ value: Value) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }
}
