import Foundation
import Sluice
import SluiceFile
import SluiceKafka

/// The lines of a directory's files into a Kafka topic, exactly once: the file source is the
/// job's only source, so the Kafka runtime holds the group membership for its splits. Each
/// record: the file's path as key, the line as value.
///
/// The spec's parameters: `directory`, `source` (the file source's name), `splits`, and
/// `scanMillis` for a continuous source (bounded without it), `batchSize` (records per poll),
/// `guarantee` (`at-least-once`; exactly-once without it), `recordDelayMicros` (a pause per
/// line, standing for slow processing, so a bounded input lasts as long as a test needs).
public enum FileLinesJob {
    public static func build(spec: WorkerSpec, configuration: JobConfiguration) throws -> StreamEnvironment {
        var configuration = configuration
        if let batchSize = spec.parameters["batchSize"].flatMap(Int.init) { configuration.batchSize = batchSize }
        let guarantee: DeliveryGuarantee = spec.parameters["guarantee"] == "at-least-once" ? .atLeastOnce : .exactlyOnce
        let kafka = try KafkaRuntime(
            bootstrapServers: spec.bootstrap, guarantee: guarantee, workerID: spec.workerID, consumer: TansuGroupSettings.options)
        let env = StreamEnvironment(jobName: spec.job, runtime: kafka, configuration: configuration)
        let discovery: FileSource.Discovery = spec.parameters["scanMillis"].flatMap(Int64.init)
            .map { .continuous(scanInterval: .milliseconds($0)) } ?? .bounded
        let source = try FileSource(
            directory: spec.parameters["directory"] ?? ".", name: spec.parameters["source"],
            splits: spec.parameters["splits"].flatMap(Int.init) ?? 1, discovery: discovery)
        let delay = spec.parameters["recordDelayMicros"].flatMap(UInt32.init) ?? 0
        env.fromSource(source)
            .map { record in
                if delay > 0 { usleep(delay) }
                return record
            }
            .sink(to: kafka.sink(topic: spec.output)) { record in
                SinkRecord(key: record.headers.first { $0.key == FileSource.fileHeader }?.value, value: record.value)
            }
        return env
    }

    /// The line `index` of file `file`, unique across the test's input.
    public static func line(file: Int, index: Int) -> String {
        "file \(file) line \(index) " + String(repeating: "·", count: (file * 7 + index) % 23)
    }

    /// The name of input file `file`: names sort in the order files are written.
    public static func fileName(_ file: Int) -> String {
        "input-" + String(format: "%05d", file) + ".txt"
    }

    /// Writes file `file` with `lines` lines under `directory`, complete when it appears: written
    /// under a hidden name, then renamed.
    public static func writeFile(_ file: Int, lines: Int, in directory: URL) throws -> [String] {
        let content = (0..<lines).map { line(file: file, index: $0) }
        let hidden = directory.appendingPathComponent(".\(fileName(file)).writing")
        try Data((content.joined(separator: "\n") + "\n").utf8).write(to: hidden)
        try FileManager.default.moveItem(at: hidden, to: directory.appendingPathComponent(fileName(file)))
        return content
    }
}
