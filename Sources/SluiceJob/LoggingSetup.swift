import Foundation
import Logging

/// Where a job executable's log lines go: standard error, from `--log-level` up, as text or as
/// JSON (`--log-format`).
///
/// The default level, `notice`, is the level of the workers' status lines
/// (``Sluice/StatusLine``): a running job shows it is alive, while the engine's `info` lines
/// stay hidden.
enum LoggingSetup {
    /// Sends every logger of the process to standard error at `level` in `format`. Call once,
    /// first.
    static func install(level: Logger.Level, format: LogFormatArgument) {
        LoggingSystem.bootstrap { label in
            handler(label: label, level: level, format: format) { line in
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
    }

    /// The handler of the logger `label`: its lines from `level` up, in `format`; JSON lines go
    /// through `writeJSON`, text lines to standard error.
    static func handler(
        label: String, level: Logger.Level, format: LogFormatArgument, writeJSON: @escaping @Sendable (String) -> Void
    ) -> any LogHandler {
        switch format {
        case .text:
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        case .json:
            return JSONLogHandler(label: label, level: level, write: writeJSON)
        }
    }

    /// The logger of the Kafka clients: librdkafka's own lines (every failed connection
    /// attempt, for one) only when `verbose`; the job reports what failed in one line itself.
    static func kafkaLogger(verbose: Bool) -> Logger {
        verbose ? Logger(label: "sluice.kafka") : Logger(label: "sluice.kafka") { _ in SwiftLogNoOpLogHandler() }
    }
}
