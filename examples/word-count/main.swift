// Kafka word count: sentences from a topic, split into words, keyed by word (through the
// job's repartition topic), counted in 10-second tumbling event-time windows, written to a
// topic as "word <tab> window start <tab> count", exactly once. Runs until SIGINT or SIGTERM,
// then stops gracefully (finish the round, checkpoint, leave the group). Start it in several
// processes, each with its own SLUICE_WORKER_ID, and the group spreads the partitions.
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

let kafka = try KafkaRuntime(
    bootstrapServers: bootstrap, guarantee: .exactlyOnce, workerID: ProcessInfo.processInfo.environment["SLUICE_WORKER_ID"],
    consumerProperties: ["session.timeout.ms": "6000", "max.poll.interval.ms": "10000"])
let env = StreamEnvironment(jobName: "word-count", runtime: kafka)

env.fromSource(try kafka.source(topics: [input]), deserializer: UTF8StringCodec(), watermarks: .forBoundedOutOfOrderness(.seconds(2)))
    .flatMap { sentence in sentence.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init) }
    .keyBy("word") { $0 }
    .window(TumblingEventTimeWindows.of(seconds: 10))
    .aggregate(Count()) { word, window, count in (word, window.start, count) }
    .sink(to: kafka.sink(topic: output)) { word, start, count in
        SinkRecord(key: Array(word.utf8), value: Array("\(word)\t\(start)\t\(count)".utf8))
    }

print(try env.describe())
let job = try env.build()
let signals = TerminationSignals(stopping: job.stopSignal)
let metrics = try job.run()
withExtendedLifetime(signals) {}
print("word-count stopped: \(metrics.recordsRead) records read, \(metrics.commits) checkpoints")
