import Foundation
import RdKafka
import Sluice
import SluiceKafka
import Synchronization

/// A Sluice Kafka -> Kafka map job, at-least-once and exactly-once, against a kcat -> kcat pipe
/// moving the same records on the same broker, the pipe's consumer given the job consumer's
/// fetch settings (``fetchSettings``).
struct JobBenchmark {
    let bootstrap: String
    let recordCount: Int
    let rounds: Int
    let partitions: Int32
    let valueSize: Int

    /// The librdkafka fetch settings of both consumers, the job's and kcat's: librdkafka 2.16's
    /// default `fetch.queue.backoff.ms` of 1 s leaves a consumer mostly idle, and an untuned pipe
    /// is no peer.
    static let fetchSettings = ["fetch.queue.backoff.ms": "10"]

    func run() throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrap))
        let kcatFetch = Self.fetchSettings.sorted { $0.key < $1.key }.map { "-X \($0.key)=\($0.value)" }.joined(separator: " ")
        print("Kafka -> Kafka map job: \(recordCount) records, \(partitions) partitions, best of \(rounds); both consumers with \(kcatFetch)")
        var bestSluice = Double.infinity, bestPipe = Double.infinity, bestSteady = Double.infinity
        var bestExactly = Double.infinity, bestExactlySteady = Double.infinity
        for round in 1...rounds {
            let tag = "\(getpid())-\(round)"
            let names = ["in-s-\(tag)", "out-s-\(tag)", "in-k-\(tag)", "out-k-\(tag)", "in-e-\(tag)", "out-e-\(tag)"]
            for name in names { try admin.createTopic(name, partitions: partitions) }
            try fill(names[0])
            try fill(names[2])
            try fill(names[4])
            var sluice = 0.0, pipe = 0.0, steady = 0.0, exactly = 0.0, exactlySteady = 0.0
            // Rotate which side goes first so none always meets a warmer broker.
            let sides = ["sluice", "kcat", "exactly-once"]
            for offset in 0..<sides.count {
                switch sides[(round - 1 + offset) % sides.count] {
                case "sluice":
                    sluice = try seconds { steady = try sluiceJob(input: names[0], output: names[1]) }
                case "exactly-once":
                    exactly = try seconds {
                        exactlySteady = try sluiceJob(input: names[4], output: names[5], guarantee: .exactlyOnce)
                    }
                default:
                    pipe = try seconds {
                        try shell("kcat -C -b \(bootstrap) \(kcatFetch) -t \(names[2]) -o beginning -c \(recordCount) -q -f '%s\\n' | kcat -P -b \(bootstrap) -t \(names[3])")
                    }
                }
            }
            print(String(format: "round %d: sluice map job %.3f s (%.3f s from its first record) | kcat -> kcat pipe %.3f s", round, sluice, steady, pipe))
            print(String(format: "round %d: sluice map job exactly-once %.3f s (%.3f s from its first record)", round, exactly, exactlySteady))
            bestSluice = min(bestSluice, sluice)
            bestSteady = min(bestSteady, steady)
            bestPipe = min(bestPipe, pipe)
            bestExactly = min(bestExactly, exactly)
            bestExactlySteady = min(bestExactlySteady, exactlySteady)
        }
        // The topics are left to the broker, which the script stops: on Tansu, librdkafka 2.16
        // crashed (SIGSEGV in its own thread, rd_kafka_metadata_update_op ->
        // rd_kafka_metadata_cache_find) after the admin client deleted topics (BENCHMARKS.md).
        let n = Double(recordCount)
        print(String(
            format: "kafka -> kafka: Sluice map job %.0f rec/s end to end (%.2fx the pipe), %.0f rec/s from its first record (%.2fx); kcat pipe %.0f rec/s",
            n / bestSluice, bestPipe / bestSluice, n / bestSteady, bestPipe / bestSteady, n / bestPipe))
        print(String(
            format: "kafka -> kafka exactly-once: Sluice map job %.0f rec/s end to end (%.2fx the pipe), %.0f rec/s from its first record (%.2fx the pipe, %.2fx at-least-once)",
            n / bestExactly, bestPipe / bestExactly, n / bestExactlySteady, bestPipe / bestExactlySteady, bestSteady / bestExactlySteady))
    }

    /// Fills `topic` with the benchmark's records.
    private func fill(_ topic: String) throws {
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap))
        let value = [UInt8](repeating: UInt8(ascii: "x"), count: valueSize)
        try value.withUnsafeBytes { bytes in
            for i in 0..<recordCount {
                try producer.send(topic: topic, partition: Int32(i) % partitions, key: nil, value: bytes)
            }
        }
        try producer.flush(timeout: .seconds(120))
    }

    /// Reads `input` from the beginning in a fresh group, upper-cases the first byte of each
    /// value, and writes to `output` under `guarantee`; returns once all records are written and committed, with
    /// the seconds from the first record to the end (the group join before it excluded).
    private func sluiceJob(input: String, output: String, guarantee: DeliveryGuarantee = .atLeastOnce) throws -> Double {
        let group = "bench-job-\(getpid())-\(input)"
        let kafka = try KafkaRuntime(
            bootstrapServers: bootstrap, guarantee: guarantee, workerID: "bench",
            consumer: ConsumerOptions(sessionTimeout: .seconds(6), maxPollInterval: .seconds(10), properties: Self.fetchSettings))
        let sink = kafka.sink(topic: output)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .seconds(1)
        let env = StreamEnvironment(jobName: group, runtime: kafka, configuration: configuration)
        let countdown = Countdown(target: recordCount)
        env.fromSource(try kafka.source(topics: [input]), deserializer: BytesCodec())
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
        return (ContinuousClock.now - countdown.firstRecord.withLock { $0! }).seconds
    }
}

/// Counts records the job has written, and stops the job at the last one.
final class Countdown: Sendable {
    let target: Int
    let written = Atomic<Int>(0)
    let stop = Mutex<StopSignal?>(nil)
    /// When the first record reached the sink: the group join before it is not throughput.
    let firstRecord = Mutex<ContinuousClock.Instant?>(nil)

    init(target: Int) {
        self.target = target
    }

    func add(_ n: Int) {
        let total = written.add(n, ordering: .relaxed).newValue
        if total == n { firstRecord.withLock { $0 = $0 ?? .now } }
        if total >= target {
            stop.withLock { $0?.stop() }
        }
    }
}
