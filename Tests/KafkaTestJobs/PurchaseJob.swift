import Foundation
import RdKafka
import Sluice
import SluiceFile
import SluiceKafka

/// The keyed window job of the exactly-once tests, and its input: purchases spread over the
/// input partitions by purchase number (not by user, so `keyBy(user)` crosses a repartition
/// topic), summed per user in 5 s tumbling event-time windows.
public enum PurchaseJob {
    /// One purchase, JSON on the input topic.
    public struct Purchase: Codable, Sendable {
        public var user: String
        public var amount: Int
    }

    /// A user's purchases in one window: how many, and their sum.
    public struct Totals: Codable, Sendable {
        public var count = 0
        public var sum = 0

        public init(count: Int = 0, sum: Int = 0) {
            self.count = count
            self.sum = sum
        }
    }

    /// A user's purchases in a window: (count, sum).
    public struct SumPurchases: AggregateFunction {
        public init() {}
        public func createAccumulator() -> Totals { Totals() }
        public func add(_ value: Purchase, to accumulator: inout Totals) {
            accumulator.count += 1
            accumulator.sum += value.amount
        }
        public func result(_ accumulator: Totals) -> Totals { accumulator }
        public func merge(_ first: Totals, _ second: Totals) -> Totals { Totals(count: first.count + second.count, sum: first.sum + second.sum) }
    }

    /// The input topic's partitions.
    public static let partitions: Int32 = 4
    /// How many users buy.
    public static let users = 200
    /// The window length.
    public static let windowMillis: Int64 = 5_000
    /// Event time advances 4 ms per record in each partition: 25,000 records span 100 s.
    public static let stepMillis: Int64 = 4
    /// The event time of the first purchase (2026-01-01T00:00:00Z, a window boundary).
    public static let base: Int64 = 1_767_225_600_000
    /// The user of end markers, whose results are not checked.
    public static let endMarker = "~end"

    /// deserialize → keyBy(user) (a repartition topic: the input is not partitioned by user)
    /// → 5 s tumbling (count, sum) → `user <tab> window start <tab> count <tab> sum`. With a
    /// `progress` counter, the deserializer and the aggregate count the records they handle.
    /// The spec's parameter `transactionTimeoutMillis` sets the workers' transaction timeout.
    public static func build(spec: WorkerSpec, configuration: JobConfiguration, progress: ProgressCounter? = nil) throws -> StreamEnvironment {
        let (env, kafka) = try environment(spec: spec, configuration: configuration)
        try results(env: env, kafka: kafka, spec: spec, progress: progress)
            .sink(to: kafka.sink(topic: spec.output)) { line in SinkRecord(key: Array(line.prefix { $0 != "\t" }.utf8), value: Array(line.utf8)) }
        return env
    }

    /// The same job writing its results as lines into part files under the spec's parameter
    /// `directory` (a ``FileSink``) instead of a topic.
    public static func buildIntoFiles(spec: WorkerSpec, configuration: JobConfiguration) throws -> StreamEnvironment {
        let (env, kafka) = try environment(spec: spec, configuration: configuration)
        try results(env: env, kafka: kafka, spec: spec, progress: nil)
            .sink(to: FileSink(directory: spec.parameters["directory"] ?? ".", format: .text { $0 },
                               rolling: RollingPolicy(maxPartSize: 4_096)))
        return env
    }

    private static func environment(spec: WorkerSpec, configuration: JobConfiguration) throws -> (StreamEnvironment, KafkaRuntime) {
        let transactionTimeout = spec.parameters["transactionTimeoutMillis"].flatMap { Int64($0) }.map { Duration.milliseconds($0) }
        let kafka = try KafkaRuntime(bootstrapServers: spec.bootstrap, workerID: spec.workerID, consumer: TansuGroupSettings.options,
                                     producer: ProducerOptions(transactionTimeout: transactionTimeout ?? .seconds(60)))
        return (StreamEnvironment(jobName: spec.job, runtime: kafka, configuration: configuration), kafka)
    }

    /// The input's results as lines: `user <tab> window start <tab> count <tab> sum`.
    private static func results(env: StreamEnvironment, kafka: KafkaRuntime, spec: WorkerSpec,
                                progress: ProgressCounter?) throws -> DataStream<String> {
        let source = try kafka.source(topics: [spec.input])
        let purchases = if let progress {
            env.fromSource(source, deserializer: ProgressCounter.CountingDeserializer(base: JSONCodec<Purchase>(), counter: progress))
        } else {
            env.fromSource(source, deserializer: JSONCodec<Purchase>())
        }
        let windows = purchases
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(.milliseconds(windowMillis)))
        let format: @Sendable (String, TimeWindow, Totals) -> String = { user, window, totals in
            "\(user)\t\(window.start)\t\(totals.count)\t\(totals.sum)"
        }
        return if let progress {
            windows.aggregate(ProgressCounter.CountingAggregate(base: SumPurchases(), counter: progress), format)
        } else {
            windows.aggregate(SumPurchases(), format)
        }
    }

    /// The purchase at `index`: its partition, timestamp and contents, from a fixed pseudo-random
    /// sequence, so the parent computes expected results without the engine.
    public static func purchase(_ index: Int) -> (partition: Int32, timestamp: Int64, purchase: Purchase) {
        var state = UInt64(index) &* 0x9e37_79b9_7f4a_7c15 &+ 0x1234_5678
        state = (state ^ (state >> 29)) &* 0xbf58_476d_1ce4_e5b9
        state ^= state >> 32
        let partition = Int32(index % Int(partitions))
        let timestamp = base + Int64(index / Int(partitions)) * stepMillis
        return (partition, timestamp, Purchase(user: "u\(state % UInt64(users))", amount: Int((state >> 40) % 1000) + 1))
    }

    /// The results the job must write for purchases `0..<count`, computed without the engine,
    /// sorted.
    public static func expectedResults(count: Int) -> [String] {
        var totals: [String: Totals] = [:]
        for index in 0..<count {
            let (_, timestamp, purchase) = purchase(index)
            let key = "\(purchase.user)\t\(timestamp - timestamp % windowMillis)"
            totals[key, default: Totals()].count += 1
            totals[key, default: Totals()].sum += purchase.amount
        }
        return totals.map { "\($0.key)\t\($0.value.count)\t\($0.value.sum)" }.sorted()
    }

    /// Writes purchases `range` to `topic`, each to its partition with its timestamp, and
    /// waits until they are delivered.
    public static func produce(_ range: Range<Int>, to topic: String, with producer: KafkaProducer) throws {
        for index in range {
            let (partition, timestamp, purchase) = purchase(index)
            try producer.send(topic: topic, partition: partition, key: Array("p-\(index)".utf8),
                              value: Array(try JSONEncoder().encode(purchase)), timestamp: timestamp)
        }
        try producer.flush()
    }

    /// Writes an end marker to every partition: its far-future timestamp moves every
    /// partition's watermark past the last window.
    public static func produceEndMarkers(to topic: String, with producer: KafkaProducer) throws {
        for partition in 0..<partitions {
            try producer.send(topic: topic, partition: partition, key: nil,
                              value: Array(try JSONEncoder().encode(Purchase(user: endMarker, amount: 0))),
                              timestamp: base + 3_600_000)
        }
        try producer.flush()
    }
}
