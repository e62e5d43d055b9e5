import ArgumentParser
import Foundation
import RdKafka
import SluiceKafka

/// How a job executable fails: one line `<job>: error: …` on standard error and exit status 1,
/// or 64 (a usage error) for a librdkafka property librdkafka refuses; never a Swift crash.
enum JobFailure {
    /// The exit status of a job that failed.
    static let exitCode = ExitCode(1)

    /// The exit status for `error`: ``exitCode``, or `ExitCode.validationFailure` (64) for a
    /// ``RdKafka/KafkaConfigurationError``, which is the settings given and not the run.
    static func exitCode(for error: any Error) -> ExitCode {
        error is KafkaConfigurationError ? .validationFailure : exitCode
    }

    /// Writes `error` as one line naming the job and returns the exit status to throw. Under
    /// `--log-format json` the line is a JSON log line like the others on standard error, at
    /// `critical` level with the same message, so a log shipper reading them gets it too.
    static func report(_ error: any Error, job: String, format: LogFormatArgument = .text) -> ExitCode {
        FileHandle.standardError.write(Data(line(error, job: job, format: format).utf8))
        return exitCode(for: error)
    }

    /// What ``report(_:job:format:)`` writes, newline included.
    static func line(_ error: any Error, job: String, format: LogFormatArgument) -> String {
        let message = "\(job): error: \(oneLine(error))"
        switch format {
        case .text:
            return message + "\n"
        case .json:
            return JSONLogHandler.line(
                timestamp: JSONLogHandler.now(), level: .critical, label: "sluice.job", message: message,
                metadata: ["job": .string(job)])
        }
    }

    /// The error's message on one line: a worker fenced by another process with its worker id
    /// by what happened and the fix, wherever the error wraps it; a librdkafka error by its
    /// message (which names the brokers); anything else by its description.
    static func oneLine(_ error: any Error) -> String {
        let text = WorkerFencedError.find(in: error)?.description ?? (error as? KafkaError)?.message ?? "\(error)"
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
