import Sluice
import SluiceKafka

/// Counts elements of a window without keeping them.
struct CountAggregate<Input>: AggregateFunction {
    func createAccumulator() -> Int { 0 }
    func add(_ value: Input, to accumulator: inout Int) { accumulator += 1 }
    func result(_ accumulator: Int) -> Int { accumulator }
    func merge(_ first: Int, _ second: Int) -> Int { first + second }
}

/// The demo's job: words read from a Kafka topic that is partitioned by word (so `keyBy`
/// needs no exchange), counted per word in 5-second tumbling event-time windows, written
/// to another topic as `word <tab> window start <tab> count`, exactly once.
enum WordCountJob {
    static func build(
        bootstrapServers: String, input: String, output: String, jobName: String, bounded: Bool,
        guarantee: DeliveryGuarantee = .exactlyOnce, consumerProperties: [String: String] = [:]
    ) throws -> StreamEnvironment {
        let kafka = try KafkaRuntime(
            bootstrapServers: bootstrapServers, guarantee: guarantee, workerID: "cli", consumerProperties: consumerProperties)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(500)
        let env = StreamEnvironment(jobName: jobName, runtime: kafka, configuration: configuration)
        env.fromSource(try kafka.source(topics: [input], ending: bounded ? .latestAtStart : .never), deserializer: UTF8StringCodec(), partitionedBy: "word")
            .keyBy("word") { $0 }
            .window(TumblingEventTimeWindows.of(seconds: 5))
            .aggregate(CountAggregate<String>()) { word, window, count in (word, window, count) }
            .sink(to: kafka.sink(topic: output)) { word, window, count in
                SinkRecord(key: Array(word.utf8), value: Array("\(word)\t\(window.start)\t\(count)".utf8))
            }
        return env
    }
}
