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
/// to another topic as `word <tab> window start <tab> count`.
enum WordCountJob {
    static func build(
        bootstrapServers: String, input: String, output: String, jobName: String, bounded: Bool,
        consumerProperties: [String: String] = [:]
    ) throws -> StreamEnvironment {
        let source = try KafkaSource(options: KafkaSourceOptions(
            bootstrapServers: bootstrapServers, topics: [input], groupID: jobName,
            stopsAtEnd: bounded, properties: consumerProperties))
        let sink = try KafkaSink(options: KafkaSinkOptions(bootstrapServers: bootstrapServers, topic: output))
        let env = StreamEnvironment(jobName: jobName)
        env.membership = source
        env.commitPoint = KafkaCommitPoint(source: source)
        env.fromSource(source, deserializer: UTF8StringCodec(), partitionedBy: "word")
            .keyBy("word") { $0 }
            .window(TumblingEventTimeWindows.of(seconds: 5))
            .aggregate(CountAggregate<String>()) { word, window, count in (word, window, count) }
            .sink(to: sink) { word, window, count in
                SinkRecord(key: Array(word.utf8), value: Array("\(word)\t\(window.start)\t\(count)".utf8))
            }
        return env
    }
}
