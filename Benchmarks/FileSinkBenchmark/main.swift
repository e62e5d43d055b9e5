// The file sink exactly-once against at-least-once on one Tansu broker (BENCHMARKS.md): a
// Kafka -> files job writing each record's value as a line into part files, over the same input
// topic, each run a process of its own. Reports records/s from the job's first record to the end
// of its run (final checkpoint and renames included), the part files written, and the process's
// peak resident memory (VmHWM). Run through scripts/bench-file-sink.sh, which starts Tansu and
// puts librdkafka 2.16 on LD_LIBRARY_PATH.
//
//   sluice-file-bench fill BOOTSTRAP TOPIC RECORDS BYTES           writes the input topic
//   sluice-file-bench run BOOTSTRAP exactly-once|at-least-once TOPIC RECORDS DIRECTORY
//                                                                   one run of the job

import Foundation
import RdKafka
import Sluice
import SluiceFile
import SluiceKafka
import Synchronization

let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: sluice-file-bench fill BOOTSTRAP TOPIC RECORDS BYTES
           sluice-file-bench run BOOTSTRAP exactly-once|at-least-once TOPIC RECORDS DIRECTORY

    """
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    exit(2)
}

let partitions: Int32 = 4

/// Counts the records the sink received and stops the job at the last one.
final class Progress: Sendable {
    let target: Int
    let handled = Atomic<Int>(0)
    let stop = Mutex<StopSignal?>(nil)
    let firstRecord = Mutex<ContinuousClock.Instant?>(nil)

    init(target: Int) {
        self.target = target
    }

    func add(_ count: Int) {
        let total = handled.add(count, ordering: .relaxed).newValue
        if total == count { firstRecord.withLock { $0 = $0 ?? .now } }
        if total >= target { stop.withLock { $0?.stop() } }
    }
}

/// The process's peak resident set size in kB, from /proc/self/status.
func peakResidentKilobytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
    return line.flatMap { Int($0.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") }
}

switch arguments.first {
case "fill" where arguments.count == 5:
    let (bootstrap, topic, count, size) = (arguments[1], arguments[2], Int(arguments[3]) ?? 0, Int(arguments[4]) ?? 100)
    let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrap))
    try admin.createTopic(topic, partitions: partitions)
    let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap))
    let padding = [UInt8](repeating: UInt8(ascii: "x"), count: max(0, size - 12))
    for index in 0..<count {
        try producer.send(topic: topic, partition: Int32(index) % partitions, key: nil,
                          value: Array("r\(index)|".utf8) + padding, timestamp: 1_767_225_600_000 + Int64(index))
    }
    try producer.flush(timeout: .seconds(120))
    print("filled \(topic): \(count) records of \(size) bytes")

case "run" where arguments.count == 6:
    let (bootstrap, guaranteeName, topic, count, directory) = (arguments[1], arguments[2], arguments[3], Int(arguments[4]) ?? 0, arguments[5])
    let guarantee: DeliveryGuarantee = switch guaranteeName {
    case "exactly-once": .exactlyOnce
    case "at-least-once": .atLeastOnce
    default: fail(usage)
    }
    let progress = Progress(target: count)
    let kafka = try KafkaRuntime(
        bootstrapServers: bootstrap, guarantee: guarantee, workerID: "bench",
        consumer: ConsumerOptions(sessionTimeout: .seconds(6), heartbeatInterval: .milliseconds(500), maxPollInterval: .seconds(10),
                                  fetchWait: .milliseconds(50)))
    var configuration = JobConfiguration()
    configuration.checkpointInterval = .seconds(1)
    let env = StreamEnvironment(jobName: "file-bench-\(getpid())", runtime: kafka, configuration: configuration)
    env.fromSource(try kafka.source(topics: [topic]), deserializer: BytesCodec())
        .map { value in
            progress.add(1)
            return value
        }
        .sink(to: FileSink(directory: directory, format: .bytes(fileExtension: ".txt") { $0 }))
    let job = try env.build()
    progress.stop.withLock { $0 = job.stopSignal }
    let metrics = try job.run()
    let elapsed = ContinuousClock.now - progress.firstRecord.withLock { $0! }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let files = try FileManager.default.contentsOfDirectory(atPath: directory)
    let visible = files.filter { $0.hasPrefix("part-") }
    let bytes = try visible.reduce(0) { total, name in
        total + ((try FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)")[.size] as? NSNumber)?.intValue ?? 0)
    }
    print(String(
        format: "%@: %d records in %.2f s = %.0f records/s; %d part files, %.1f MB, %d hidden left; %d commits; peak RSS %@",
        guaranteeName, progress.handled.load(ordering: .relaxed), seconds, Double(count) / seconds, visible.count,
        Double(bytes) / 1e6, files.count - visible.count, metrics.commits,
        peakResidentKilobytes().map { String(format: "%.1f MB", Double($0) / 1024) } ?? "unknown"))

default:
    fail(usage)
}
