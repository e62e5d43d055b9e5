// Kafka word count: sentences from a topic, split into words, keyed by word (through the
// job's repartition topic), counted in 10-second tumbling event-time windows, written to a
// topic as "word <tab> window start <tab> count". Runs until SIGINT or SIGTERM, then stops
// gracefully (finish the round, flush, commit, leave the group).
//
//   word-count BOOTSTRAP [INPUT] [OUTPUT]
//
// `scripts/example.sh word-count` starts a Tansu broker, writes sample sentences and runs it.
import Foundation
import Sluice
import SluiceKafka

struct Count: AggregateFunction {
    func createAccumulator() -> Int { 0 }
    func add(_ value: String, to accumulator: inout Int) { accumulator += 1 }
    func result(_ accumulator: Int) -> Int { accumulator }
    func merge(_ first: Int, _ second: Int) -> Int { first + second }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: word-count BOOTSTRAP [INPUT] [OUTPUT]\n".utf8))
    exit(2)
}
let bootstrap = arguments[1]
let input = arguments.count > 2 ? arguments[2] : "sentences"
let output = arguments.count > 3 ? arguments[3] : "word-counts"

let source = try KafkaSource(options: KafkaSourceOptions(
    bootstrapServers: bootstrap, topics: [input], groupID: "word-count",
    properties: ["session.timeout.ms": "6000", "max.poll.interval.ms": "10000"]))
let sink = try KafkaSink(options: KafkaSinkOptions(bootstrapServers: bootstrap, topic: output))

var configuration = JobConfiguration()
configuration.commitInterval = .seconds(1)
let env = StreamEnvironment(jobName: "word-count", configuration: configuration)
env.membership = source
env.commitPoint = KafkaCommitPoint(source: source)
env.exchangeTransport = try KafkaExchangeTransport(bootstrapServers: bootstrap)

env.fromSource(source, deserializer: UTF8StringCodec(), watermarks: .forBoundedOutOfOrderness(.seconds(2)))
    .flatMap { sentence in sentence.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init) }
    .keyBy("word") { $0 }
    .window(TumblingEventTimeWindows.of(seconds: 10))
    .aggregate(Count()) { word, window, count in (word, window.start, count) }
    .sink(to: sink) { word, start, count in
        SinkRecord(key: Array(word.utf8), value: Array("\(word)\t\(start)\t\(count)".utf8))
    }

print(try env.describe())
let job = try env.build()
let signals = TerminationSignals(stopping: job.stopSignal)
let metrics = try job.run()
withExtendedLifetime(signals) {}
print("word-count stopped: \(metrics.recordsRead) records read, \(metrics.commits) commits")
