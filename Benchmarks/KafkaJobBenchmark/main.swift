// A Sluice Kafka -> Kafka map job against a kcat -> kcat pipe moving the same records on the
// same broker, in one run. Run through scripts/bench-kafka.sh (Tansu, librdkafka 2.16).
//
//   sluice-job-bench BOOTSTRAP [RECORDS] [ROUNDS]

import Foundation
import RdKafka
import Sluice
import SluiceKafka
import Synchronization

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: sluice-job-bench BOOTSTRAP [RECORDS] [ROUNDS]\n".utf8))
    exit(2)
}
let bootstrap = arguments[1]
let recordCount = arguments.count > 2 ? Int(arguments[2])! : 500_000
let rounds = arguments.count > 3 ? Int(arguments[3])! : 3
let partitions: Int32 = 4
let valueSize = 100

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func shell(_ command: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw KafkaError(code: -1, name: "BENCH", message: "command failed (\(process.terminationStatus)): \(command)")
    }
}

/// Fills `topic` with the benchmark's records.
func fill(_ topic: String) throws {
    let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap))
    let value = [UInt8](repeating: UInt8(ascii: "x"), count: valueSize)
    try value.withUnsafeBytes { bytes in
        for i in 0..<recordCount {
            try producer.send(topic: topic, partition: Int32(i) % partitions, key: nil, value: bytes)
        }
    }
    try producer.flush(timeout: .seconds(120))
}

/// Counts records the job has written, and stops the job at the last one.
final class Countdown: Sendable {
    let written = Atomic<Int>(0)
    let stop = Mutex<StopSignal?>(nil)
    /// When the first record reached the sink: the group join before it is not throughput.
    let firstRecord = Mutex<ContinuousClock.Instant?>(nil)
    func add(_ n: Int) {
        let total = written.add(n, ordering: .relaxed).newValue
        if total == n { firstRecord.withLock { $0 = $0 ?? .now } }
        if total >= recordCount {
            stop.withLock { $0?.stop() }
        }
    }
}

/// Reads `input` from the beginning in a fresh group, upper-cases the first byte of each
/// value, and writes to `output`; returns once all records are written and committed, with
/// the seconds from the first record to the end (the group join before it excluded).
func sluiceJob(input: String, output: String) throws -> Double {
    let group = "bench-job-\(getpid())-\(input)"
    let source = try KafkaSource(options: KafkaSourceOptions(
        bootstrapServers: bootstrap, topics: [input], groupID: group,
        properties: ["session.timeout.ms": "6000", "max.poll.interval.ms": "10000"]))
    let sink = try KafkaSink(options: KafkaSinkOptions(bootstrapServers: bootstrap, topic: output))
    var configuration = JobConfiguration()
    configuration.commitInterval = .seconds(1)
    let env = StreamEnvironment(jobName: group, configuration: configuration)
    env.membership = source
    env.commitPoint = KafkaCommitPoint(source: source)
    let countdown = Countdown()
    env.fromSource(source, deserializer: BytesCodec())
        .map { value -> [UInt8] in
            var value = value
            if !value.isEmpty { value[0] &-= 32 }
            return value
        }
        .sink(to: sink) { value in
            countdown.add(1)
            return SinkRecord(value: value)
        }
    let job = try env.build()
    let signal = job.stopSignal
    countdown.stop.withLock { $0 = signal }
    try job.run()
    precondition(countdown.written.load(ordering: .relaxed) >= recordCount)
    let elapsed = ContinuousClock.now - countdown.firstRecord.withLock { $0! }
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrap))
print("librdkafka \(KafkaProducer.librdkafkaVersion), broker \(bootstrap), \(recordCount) records of \(valueSize) bytes, \(partitions) partitions, best of \(rounds)")
var bestSluice = Double.infinity, bestPipe = Double.infinity, bestSteady = Double.infinity
for round in 1...rounds {
    let tag = "\(getpid())-\(round)"
    let names = ["in-s-\(tag)", "out-s-\(tag)", "in-k-\(tag)", "out-k-\(tag)"]
    for name in names { try admin.createTopic(name, partitions: partitions) }
    try fill(names[0])
    try fill(names[2])
    var s = 0.0, k = 0.0, steady = 0.0
    let sluiceFirst = round % 2 == 1
    for side in sluiceFirst ? ["sluice", "kcat"] : ["kcat", "sluice"] {
        if side == "sluice" {
            s = try seconds { steady = try sluiceJob(input: names[0], output: names[1]) }
        } else {
            k = try seconds {
                try shell("kcat -C -b \(bootstrap) -t \(names[2]) -o beginning -c \(recordCount) -q -f '%s\\n' | kcat -P -b \(bootstrap) -t \(names[3])")
            }
        }
    }
    print(String(format: "round %d: sluice map job %.3f s (%.3f s from its first record) | kcat -> kcat pipe %.3f s", round, s, steady, k))
    bestSluice = min(bestSluice, s)
    bestSteady = min(bestSteady, steady)
    bestPipe = min(bestPipe, k)
    for name in names { try admin.deleteTopic(name, ignoreMissing: true) }
}
let n = Double(recordCount)
print(String(format: "kafka -> kafka: Sluice map job %.0f rec/s end to end (%.2fx the pipe), %.0f rec/s from its first record (%.2fx); kcat pipe %.0f rec/s",
             n / bestSluice, bestPipe / bestSluice, n / bestSteady, bestPipe / bestSteady, n / bestPipe))
