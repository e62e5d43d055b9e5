import Foundation
import ArgumentParser

/// A job executable: its own options, its name, and how it builds its pipeline.
///
/// Mark the type `@main`; ``main()`` turns it into a command with a `run` and a `plan`
/// subcommand, whose options choose the brokers, workers, guarantee, start and end of the run
/// (see ``JobContext``):
///
/// ```swift
/// import Sluice
/// import SluiceJob
///
/// @main
/// struct WordCount: StreamJob {
///     static let name = "word-count"
///     @Option(help: "The topic of sentences.") var input = "sentences"
///     @Option(help: "The topic of counts.") var output = "word-counts"
///
///     func build(_ job: JobContext) throws {
///         job.environment.fromSource(try job.source(topics: [input]), deserializer: UTF8StringCodec())
///             // …
///             .sink(to: job.sink(topic: output)) { … }
///     }
/// }
/// ```
///
/// ```sh
/// word-count run --bootstrap 127.0.0.1:9092 --input sentences --output word-counts
/// word-count plan
/// ```
///
/// The job's own options can also come from environment variables named after them:
/// `--input` from `SLUICE_INPUT`, `--max-delay` from `SLUICE_MAX_DELAY`; a flag on the command
/// line wins. ``build(_:)`` is called once for each worker of the process, and once for a plan.
public protocol StreamJob: ParsableArguments {
    /// The job's name: its command name, its consumer group and the prefix of its internal
    /// topics (`<name>-<stage>-repartition`, `<name>-<stage>-checkpoints`).
    static var name: String { get }

    /// One line saying what the job does, for `--help`.
    static var abstract: String { get }

    /// Adds the job's sources, operators and sinks to `job.environment`. Read through
    /// ``JobContext/source(topics:)`` so the run's `--from` and `--until` apply, and write
    /// through ``JobContext/sink(topic:)`` so the run counts what it wrote; a job that does
    /// runs unchanged in the test kit (`SluiceJobTesting`).
    func build(_ job: JobContext) throws
}

extension StreamJob {
    /// No abstract.
    public static var abstract: String { "" }

    /// Parses the command line (and `SLUICE_*` environment variables), runs the chosen
    /// subcommand and exits: status 0 after a finished or gracefully stopped run, 64 with the
    /// usage for arguments that make no sense, 1 with one line `<name>: error: …` on standard
    /// error for a job that failed.
    public static func main() {
        let arguments = EnvironmentDefaults.arguments(
            for: Self.self, commandLine: Array(CommandLine.arguments.dropFirst()),
            environment: ProcessInfo.processInfo.environment)
        JobCommand<Self>.main(arguments)
        // A run that ended well ends the process here, skipping the exit handlers. The exit
        // handler of the TLS library librdkafka links crashed a finished job once
        // (`init_thread_deregister`, in CI) while clients the run had leaked were still running
        // threads. The run now destroys every client before it returns (a window node no longer
        // keeps its environment, the restart signal no longer keeps the workers); this stays so
        // that no exit handler ever races a thread some other library left behind. Everything
        // the job printed is flushed first.
        fflush(nil)
        _exit(0)
    }
}
