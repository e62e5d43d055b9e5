// Exactly-once against at-least-once on one Tansu broker, in one run (BENCHMARKS.md):
//   1. a Kafka -> Kafka map job, each guarantee on its own copy of the input;
//   2. a keyed job through a repartition topic (keyed state per key), each guarantee;
//   3. checkpoint durations of the exactly-once runs (p50, p99);
//   4. end-to-end latency (p50, p99) of both jobs under exactly-once at a steady input rate,
//      from the time a record was produced to the time a read_committed consumer saw its result.
// Run through scripts/bench-exactly-once.sh, which starts Tansu and puts librdkafka 2.16 on
// LD_LIBRARY_PATH.
//
//   sluice-eos-bench BOOTSTRAP [RECORDS] [LATENCY_SECONDS]     everything above, in one run
//   sluice-eos-bench fill BOOTSTRAP TOPIC RECORDS              writes a benchmark input topic
//   sluice-eos-bench run BOOTSTRAP map|keyed|wordcount|wordcount-json GUARANTEE TOPIC RECORDS
//                                                             one job over a filled topic, as a
//                                                             whole process for external timing

import Foundation
import RdKafka
import Sluice
import SluiceKafka
import Synchronization

var arguments = Array(CommandLine.arguments.dropFirst())
let mode = ["fill", "run"].contains(arguments.first) ? arguments.removeFirst() : "all"
guard !arguments.isEmpty else {
    FileHandle.standardError.write(Data("""
        usage: sluice-eos-bench BOOTSTRAP [RECORDS] [LATENCY_SECONDS]
               sluice-eos-bench fill BOOTSTRAP TOPIC RECORDS
               sluice-eos-bench run BOOTSTRAP map|keyed|wordcount|wordcount-json exactly-once|at-least-once TOPIC RECORDS

        """.utf8))
    exit(2)
}
let bootstrap = arguments[0]
let recordCount: Int = switch mode {
case "fill": Int(arguments[2])!
case "run": Int(arguments[4])!
default: arguments.count > 1 ? Int(arguments[1])! : 500_000
}
let latencySeconds = mode == "all" && arguments.count > 2 ? Int(arguments[2])! : 20
let partitions: Int32 = 4
/// The same consumer settings for every job; fetch.queue.backoff.ms is Sluice's default (10 ms).
let consumerOptions = ConsumerOptions(
    sessionTimeout: .seconds(6), heartbeatInterval: .milliseconds(500), maxPollInterval: .seconds(10),
    fetchWait: .milliseconds(50))

let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrap))
let tag = getpid()

/// Writes `count` records of `size` bytes, spread over the partitions, keyed `k<i % keys>`.
func fill(_ topic: String, count: Int, size: Int, keys: Int) throws {
    try admin.createTopic(topic, partitions: partitions)
    let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap))
    let padding = [UInt8](repeating: UInt8(ascii: "x"), count: max(0, size - 12))
    for index in 0..<count {
        try producer.send(
            topic: topic, partition: Int32(index) % partitions, key: nil,
            value: Array("k\(index % keys)|".utf8) + padding, timestamp: 1_767_225_600_000 + Int64(index))
    }
    try producer.flush(timeout: .seconds(120))
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

/// Counts the records a job handled and stops it at the last one; keeps checkpoint durations.
final class Progress: Sendable {
    let target: Int
    let handled = Atomic<Int>(0)
    let stop = Mutex<StopSignal?>(nil)
    let firstRecord = Mutex<ContinuousClock.Instant?>(nil)
    let checkpointMillis = Mutex<[Double]>([])

    init(target: Int) {
        self.target = target
    }

    func add(_ n: Int) {
        let total = handled.add(n, ordering: .relaxed).newValue
        if total == n { firstRecord.withLock { $0 = $0 ?? .now } }
        if total >= target { stop.withLock { $0?.stop() } }
    }

    func observe(_ event: CheckpointEvent) {
        if case .committed(let report) = event, report.tasks > 0 {
            checkpointMillis.withLock { $0.append(report.duration.seconds * 1000) }
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Counts per key in keyed state; tells the progress it handled each record.
final class CountPerKey: KeyedProcessFunction {
    let progress: Progress
    private var count: (any ValueState<Int>)!

    init(progress: Progress) {
        self.progress = progress
    }

    func open(_ context: RuntimeContext<String>) throws {
        count = try context.state(ValueStateDescriptor<Int>("count"))
    }

    func processElement(_ value: String, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        count.update((count.value() ?? 0) + 1)
        progress.add(1)
    }
}

/// Counts each word in keyed state and emits `word count` for every record, like Kafka
/// Streams' word count without a cache.
final class WordCount: KeyedProcessFunction {
    let progress: Progress
    private var count: (any ValueState<Int>)!

    init(progress: Progress) {
        self.progress = progress
    }

    func open(_ context: RuntimeContext<String>) throws {
        count = try context.state(ValueStateDescriptor<Int>("count"))
    }

    func processElement(_ value: String, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        let updated = (count.value() ?? 0) + 1
        count.update(updated)
        out.collect("\(value) \(updated)")
        progress.add(1)
    }
}

enum Shape: String {
    case map = "map job"
    case keyed = "keyed job (repartition)"
    case wordCount = "word count (repartition, BinaryCodec elements)"
    case wordCountJSON = "word count (repartition, JSONCodec elements)"
}

func environment(_ shape: Shape, guarantee: DeliveryGuarantee, input: String, output: String, job: String,
                 observer: @escaping @Sendable (CheckpointEvent) -> Void) throws -> (StreamEnvironment, KafkaRuntime) {
    let kafka = try KafkaRuntime(
        bootstrapServers: bootstrap, guarantee: guarantee, workerID: "bench", consumer: consumerOptions)
    var configuration = JobConfiguration()
    configuration.checkpointInterval = .seconds(1)
    configuration.checkpointObserver = observer
    return (StreamEnvironment(jobName: job, runtime: kafka, configuration: configuration), kafka)
}

/// Runs one job over `input` until it handled every record; returns records/s from its first
/// record to the end of its run (final checkpoint included) and its checkpoint durations.
func throughput(_ shape: Shape, guarantee: DeliveryGuarantee, input: String) throws -> (rate: Double, checkpoints: [Double]) {
    let progress = Progress(target: recordCount)
    let output = "out-\(tag)-\(UInt32.random(in: 0...UInt32.max))-\(shape == .map ? "m" : "k")-\(guarantee.rawValue)"
    try admin.createTopic(output, partitions: partitions)
    let (env, kafka) = try environment(
        shape, guarantee: guarantee, input: input, output: output, job: "bench-\(tag)-\(output)", observer: progress.observe)
    let records = env.fromSource(try kafka.source(topics: [input]), deserializer: BytesCodec())
    switch shape {
    case .map:
        records.map { value -> [UInt8] in
            var value = value
            if !value.isEmpty { value[0] &-= 32 }
            return value
        }.sink(to: kafka.sink(topic: output)) { value in
            progress.add(1)
            return SinkRecord(value: value)
        }
    case .keyed:
        records.map { String(decoding: $0.prefix { $0 != UInt8(ascii: "|") }, as: UTF8.self) }
            .keyBy(\.self)
            .process(CountPerKey(progress: progress))
            .sink(to: kafka.sink(topic: output)) { SinkRecord(value: Array($0.utf8)) }
    case .wordCount, .wordCountJSON:
        // One word per record: the value's text before `|` (10,000 distinct words).
        let words = records.map { String(decoding: $0.prefix { $0 != UInt8(ascii: "|") }, as: UTF8.self) }
        let keyed = shape == .wordCount ? words.keyBy(\.self) : words.keyBy(\.self, elementCodec: JSONCodec<String>())
        keyed.process(WordCount(progress: progress))
            .sink(to: kafka.sink(topic: output)) { SinkRecord(value: Array($0.utf8)) }
    }
    let job = try env.build()
    progress.stop.withLock { $0 = job.stopSignal }
    try job.run()
    let elapsed = ContinuousClock.now - progress.firstRecord.withLock { $0! }
    return (Double(recordCount) / elapsed.seconds, progress.checkpointMillis.withLock { $0 })
}

/// Runs the job under exactly-once while `rate` records/s arrive for `latencySeconds`; each
/// record carries its produce time, each result is timed when a read_committed consumer sees it.
func latency(_ shape: Shape, rate: Int) throws -> (p50: Double, p99: Double, results: Int, checkpoints: [Double]) {
    let progress = Progress(target: .max)
    let input = "lat-in-\(tag)-\(shape == .map ? "m" : "k")", output = "lat-out-\(tag)-\(shape == .map ? "m" : "k")"
    try admin.createTopic(input, partitions: partitions)
    try admin.createTopic(output, partitions: partitions)
    let (env, kafka) = try environment(shape, guarantee: .exactlyOnce, input: input, output: output,
                                       job: "bench-lat-\(tag)-\(shape == .map ? "m" : "k")", observer: progress.observe)
    let records = env.fromSource(try kafka.source(topics: [input]), deserializer: UTF8StringCodec())
    switch shape {
    case .map:
        records.map { $0 }.sink(to: kafka.sink(topic: output)) { SinkRecord(value: Array($0.utf8)) }
    case .keyed, .wordCount, .wordCountJSON:
        // The produce time crosses the repartition topic with the record; the keyed stage
        // emits it back once it handled the record.
        records.keyBy { $0.split(separator: "|").first.map(String.init) ?? "" }
            .process(EchoPerKey())
            .sink(to: kafka.sink(topic: output)) { SinkRecord(value: Array($0.utf8)) }
    }
    let running = BackgroundJob(try env.build())
    var readerConfiguration = ConsumerConfiguration(bootstrapServers: bootstrap)
    readerConfiguration.client.properties = ["fetch.queue.backoff.ms": "0", "fetch.wait.max.ms": "10"]
    let reader = try KafkaConsumer(configuration: readerConfiguration)
    try reader.assign((0..<partitions).map { TopicPartitionOffset(output, $0, offset: KafkaOffset.beginning) })
    let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap))
    // Let the job join its group before timing starts.
    Thread.sleep(forTimeInterval: 6)
    var latencies: [Double] = []
    let clock = ContinuousClock()
    let start = clock.now
    var sent = 0
    let total = rate * latencySeconds
    func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
    while sent < total || clock.now - start < .seconds(latencySeconds + 5) {
        let due = min(total, Int((clock.now - start).seconds * Double(rate)))
        while sent < due {
            try producer.send(topic: input, partition: Int32(sent) % partitions, key: nil, value: Array("k\(sent % 1000)|\(now())".utf8))
            sent += 1
        }
        producer.poll()
        try reader.poll(maxRecords: 1000, timeout: .milliseconds(5)) { record in
            guard let value = record.value else { return }
            let text = String(decoding: value, as: UTF8.self)
            if let sentAt = text.split(separator: "|").last.flatMap({ Int64($0) }) {
                latencies.append(Double(now() - sentAt))
            }
        }
    }
    running.stop()
    reader.close()
    return (percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.count, progress.checkpointMillis.withLock { $0 })
}

/// A job running on a thread of its own until ``stop()``. The job is touched by that thread
/// only, apart from its thread-safe stop signal, hence the unchecked `Sendable`.
final class BackgroundJob: @unchecked Sendable {
    private let job: Job
    private let finished = DispatchSemaphore(value: 0)

    init(_ job: Job) {
        self.job = job
        Thread { [self] in
            do {
                try self.job.run()
            } catch {
                FileHandle.standardError.write(Data("benchmark job failed: \(error)\n".utf8))
            }
            finished.signal()
        }.start()
    }

    func stop() {
        job.stopSignal.stop()
        finished.wait()
    }
}

/// Emits every record it handles, unchanged, from a keyed stage.
final class EchoPerKey: KeyedProcessFunction {
    func processElement(_ value: String, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        out.collect(value)
    }
}

switch mode {
case "fill":
    try fill(arguments[1], count: recordCount, size: 100, keys: 10_000)
    exit(0)
case "run":
    guard let shape = ["map": Shape.map, "keyed": Shape.keyed, "wordcount": Shape.wordCount,
                       "wordcount-json": Shape.wordCountJSON][arguments[1]],
          let guarantee = DeliveryGuarantee(rawValue: arguments[2]) else {
        FileHandle.standardError.write(Data("sluice-eos-bench run: shape map|keyed|wordcount|wordcount-json, guarantee exactly-once|at-least-once\n".utf8))
        exit(2)
    }
    let measured = try throughput(shape, guarantee: guarantee, input: arguments[3])
    print(String(format: "%@ %@: %.0f rec/s from the first record", shape.rawValue, guarantee.rawValue, measured.rate))
    exit(0)
default:
    break
}

print("exactly-once vs at-least-once on Tansu, \(recordCount) records of 100 bytes, \(partitions) partitions, 1 s checkpoint interval")
let mapInputs = ["in-\(tag)-m1", "in-\(tag)-m2"], keyedInputs = ["in-\(tag)-k1", "in-\(tag)-k2"]
for topic in mapInputs { try fill(topic, count: recordCount, size: 100, keys: 10_000) }
for topic in keyedInputs { try fill(topic, count: recordCount, size: 100, keys: 10_000) }
for (shape, inputs) in [(Shape.map, mapInputs), (Shape.keyed, keyedInputs)] {
    let atLeastOnce = try throughput(shape, guarantee: .atLeastOnce, input: inputs[0])
    let exactlyOnce = try throughput(shape, guarantee: .exactlyOnce, input: inputs[1])
    print(String(
        format: "%@: at-least-once %.0f rec/s, exactly-once %.0f rec/s: %.2fx; exactly-once checkpoints p50 %.1f ms, p99 %.1f ms (%d)",
        shape.rawValue, atLeastOnce.rate, exactlyOnce.rate, exactlyOnce.rate / atLeastOnce.rate,
        percentile(exactlyOnce.checkpoints, 0.5), percentile(exactlyOnce.checkpoints, 0.99), exactlyOnce.checkpoints.count))
}
for shape in [Shape.map, Shape.keyed] {
    let measured = try latency(shape, rate: 5_000)
    print(String(format: "%@, exactly-once, 5000 rec/s for %d s: end-to-end latency p50 %.0f ms, p99 %.0f ms (%d results); checkpoints p50 %.1f ms, p99 %.1f ms (%d)",
                 shape.rawValue, latencySeconds, measured.p50, measured.p99, measured.results,
                 percentile(measured.checkpoints, 0.5), percentile(measured.checkpoints, 0.99), measured.checkpoints.count))
}
