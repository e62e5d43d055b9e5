import Logging

/// Where a job executable's log lines go: standard error, from `--log-level` up.
enum LoggingSetup {
    /// Sends every logger of the process to standard error at `level`. Call once, first.
    static func install(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// The logger of the Kafka clients: librdkafka's own lines (every failed connection
    /// attempt, for one) only when `verbose`; the job reports what failed in one line itself.
    static func kafkaLogger(verbose: Bool) -> Logger {
        verbose ? Logger(label: "sluice.kafka") : Logger(label: "sluice.kafka") { _ in SwiftLogNoOpLogHandler() }
    }
}
