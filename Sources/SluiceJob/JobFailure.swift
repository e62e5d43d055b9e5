import ArgumentParser
import Foundation
import RdKafka
import SluiceKafka

/// How a job executable fails: one line `<job>: error: …` on standard error and exit status 1,
/// never a Swift crash.
enum JobFailure {
    /// The exit status of a job that failed.
    static let exitCode = ExitCode(1)

    /// Writes `error` as one line naming the job and returns the exit status to throw.
    static func report(_ error: any Error, job: String) -> ExitCode {
        write("\(job): error: \(oneLine(error))")
        return exitCode
    }

    /// The error's message on one line: a worker fenced by another process with its worker id
    /// by what happened and the fix, wherever the error wraps it; a librdkafka error by its
    /// message (which names the brokers); anything else by its description.
    static func oneLine(_ error: any Error) -> String {
        let text = WorkerFencedError.find(in: error)?.description ?? (error as? KafkaError)?.message ?? "\(error)"
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// Writes `line` to standard error.
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
