import ArgumentParser
import Logging

/// `--log-level`: the lowest swift-log level written to standard error.
struct LogLevelArgument: ExpressibleByArgument, Sendable {
    /// The default: the workers' status lines and everything more severe.
    static let notice = LogLevelArgument(level: .notice)

    let level: Logger.Level

    private init(level: Logger.Level) {
        self.level = level
    }

    init?(argument: String) {
        guard let level = Logger.Level(rawValue: argument.lowercased()) else { return nil }
        self.level = level
    }

    var defaultValueDescription: String { level.rawValue }

    static var allValueStrings: [String] { Logger.Level.allCases.map(\.rawValue) }
}
