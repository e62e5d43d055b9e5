import ArgumentParser

/// `--log-format`: how log lines are written to standard error.
enum LogFormatArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// swift-log's text lines: `<time> <level> <label>: <metadata> [<module>] <message>`.
    case text
    /// One JSON object per line (``JSONLogHandler``), for log shippers.
    case json
}
