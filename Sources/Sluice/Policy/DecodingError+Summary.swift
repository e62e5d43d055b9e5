/// Foundation's decoding errors describe themselves as a nested dump of their context; a
/// failed record's message names the field and the problem instead.
extension DecodingError {
    /// One line naming the field (as a dotted path) and what was wrong with it.
    var summary: String {
        switch self {
        case .typeMismatch(let type, let context):
            "field \(Self.path(context.codingPath)): expected \(type): \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            "field \(Self.path(context.codingPath)): expected \(type), found null"
        case .keyNotFound(let key, let context):
            "missing field \(Self.path(context.codingPath + [key]))"
        case .dataCorrupted(let context):
            context.codingPath.isEmpty
                ? context.debugDescription : "field \(Self.path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            "\(self)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        guard !keys.isEmpty else { return "<root>" }
        var path = ""
        for key in keys {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += (path.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return path
    }
}
