import ArgumentParser

/// `--until`: where a bounded run ends.
enum EndPosition: ExpressibleByArgument, Equatable, Sendable, CustomStringConvertible {
    /// The end offsets every input partition had when the worker was assigned it.
    case end
    /// The last record before this time.
    case time(millisecondsSinceEpoch: Int64, text: String)

    init?(argument: String) {
        if argument == "end" {
            self = .end
        } else if let milliseconds = ISO8601Time.milliseconds(argument) {
            self = .time(millisecondsSinceEpoch: milliseconds, text: argument)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .end: "end"
        case .time(_, let text): text
        }
    }
}
