import Sluice
import SluiceKafka

/// A keyed window job whose `keyBy` is not the input's partitioning, so its records cross a
/// repartition topic: clicks counted per user in 5 s tumbling event-time windows.
public enum ClickCountJob {
    /// One click, JSON on the input topic.
    public struct Click: Codable, Sendable {
        public var user: String
        public var seq: Int

        public init(user: String, seq: Int) {
            self.user = user
            self.seq = seq
        }
    }

    struct CountClicks: AggregateFunction {
        func createAccumulator() -> Int { 0 }
        func add(_ value: Click, to accumulator: inout Int) { accumulator += 1 }
        func result(_ accumulator: Int) -> Int { accumulator }
        func merge(_ first: Int, _ second: Int) -> Int { first + second }
    }

    /// deserialize → keyBy(user) → 5 s tumbling count → `user <tab> window start <tab> count`,
    /// checkpointed every 500 ms; `assignmentObserver` sees the worker's splits as they change.
    public static func build(
        bootstrap: String, input: String, output: String, jobName: String, workerID: String = "w0",
        guarantee: DeliveryGuarantee = .exactlyOnce, assignmentObserver: (@Sendable (Set<Split>) -> Void)? = nil
    ) throws -> StreamEnvironment {
        let kafka = try KafkaRuntime(
            bootstrapServers: bootstrap, guarantee: guarantee, workerID: workerID, consumer: TansuGroupSettings.options)
        let sink = kafka.sink(topic: output)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(500)
        configuration.assignmentObserver = assignmentObserver
        let env = StreamEnvironment(jobName: jobName, runtime: kafka, configuration: configuration)
        env.fromSource(try kafka.source(topics: [input]), deserializer: JSONCodec<Click>())
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(seconds: 5))
            .aggregate(CountClicks()) { user, window, count in (user, window.start, count) }
            .sink(to: sink) { user, start, count in
                SinkRecord(key: Array(user.utf8), value: Array("\(user)\t\(start)\t\(count)".utf8))
            }
        return env
    }
}
