/// Why bytes are not an element in ``BinaryCodec``'s format, or why a value could not be
/// written in it. Each description is one line naming what was wrong and, inside a value, the
/// coding path of the field (`order.lines[2].sku`).
public enum BinaryCodecError: Error, Equatable, CustomStringConvertible {
    /// No bytes at all: not even the format version.
    case empty
    /// The first byte names a format version this build cannot read.
    case unknownVersion(UInt8)
    /// The element announces `declared` bytes after its header but `available` follow: it was
    /// truncated, or has trailing bytes.
    case lengthMismatch(declared: Int, available: Int)
    /// The bytes do not decode as the expected type: `path` is the coding path of the value
    /// (empty for the element itself), `reason` what was wrong there.
    case malformed(path: String, reason: String)
    /// The value could not be written: `path` is where, `reason` why.
    case unencodable(path: String, reason: String)

    /// One line naming what was wrong.
    public var description: String {
        switch self {
        case .empty:
            "empty binary element: no format version byte"
        case .unknownVersion(let version):
            "binary element format version \(version) is not one this build of Sluice reads (it reads \(BinaryFormat.version)); was it written by a newer Sluice?"
        case .lengthMismatch(let declared, let available):
            available < declared
                ? "binary element truncated: it announces \(declared) bytes, \(available) follow"
                : "binary element has \(available - declared) trailing bytes after the \(declared) it announces"
        case .malformed(let path, let reason):
            path.isEmpty ? "malformed binary element: \(reason)" : "malformed binary element at \(path): \(reason)"
        case .unencodable(let path, let reason):
            path.isEmpty ? "cannot encode binary element: \(reason)" : "cannot encode binary element at \(path): \(reason)"
        }
    }

    /// `codingPath` as `a.b[2].c`.
    static func describe(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }

    /// The same failure as a ``BinaryCodecError``: the decoder's and encoder's own errors with
    /// their coding path; any other error (one a type's `init(from:)` threw) is returned as it is.
    static func wrapping(_ error: any Error) -> any Error {
        switch error {
        case let error as BinaryCodecError:
            return error
        case let DecodingError.dataCorrupted(context):
            return BinaryCodecError.malformed(path: describe(context.codingPath), reason: context.debugDescription)
        case let DecodingError.keyNotFound(key, context):
            return BinaryCodecError.malformed(
                path: describe(context.codingPath), reason: "no field \"\(key.stringValue)\"")
        case let DecodingError.typeMismatch(type, context):
            return BinaryCodecError.malformed(
                path: describe(context.codingPath), reason: "\(context.debugDescription) (reading \(type))")
        case let DecodingError.valueNotFound(type, context):
            return BinaryCodecError.malformed(
                path: describe(context.codingPath), reason: "no value where \(type) was expected (\(context.debugDescription))")
        case let EncodingError.invalidValue(_, context):
            return BinaryCodecError.unencodable(path: describe(context.codingPath), reason: context.debugDescription)
        default:
            return error
        }
    }
}
