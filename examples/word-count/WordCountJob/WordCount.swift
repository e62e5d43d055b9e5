// Kafka word count: sentences from a topic, split into words, keyed by word (through the
// job's repartition topic), counted in 10-second tumbling event-time windows, written to a
// topic as "word <tab> window start <tab> count", exactly once by default.
//
//   word-count run --bootstrap HOST:PORT [--input sentences] [--output word-counts] [--until end]
//   word-count plan
//
// Runs until SIGINT or SIGTERM, then stops gracefully (finish the round, checkpoint, leave the
// group). Start it in several processes, each with its own --worker-id, and the group spreads
// the partitions. `scripts/example.sh word-count` starts a Tansu broker, writes sample
// sentences and runs it.
//
// The job is a library of its own (this folder) so tests run it as it stands in the test kit
// (SluiceJobTestingTests); the executable is `../main.swift`.
import Sluice
import SluiceJob

public struct WordCount: StreamJob {
    public static let name = "word-count"
    public static let abstract = "Counts words in 10 s tumbling event-time windows, Kafka to Kafka."

    /// The key: the word itself. A named selector shows as "by word" in the plan; a `keyBy` on
    /// this same selector elsewhere in the job would need no second exchange.
    static let word = KeySelector<String, String>("word") { $0 }

    @Option(help: "The topic of sentences (record timestamps are event time). Env: SLUICE_INPUT.")
    var input = "sentences"

    @Option(help: "The topic of counts: word<TAB>window start<TAB>count. Env: SLUICE_OUTPUT.")
    var output = "word-counts"

    public init() {}

    public func build(_ job: JobContext) throws {
        job.environment.fromSource(
            try job.source(topics: [input]), deserializer: UTF8StringCodec(), watermarks: .forBoundedOutOfOrderness(.seconds(2)))
            .flatMap { sentence in sentence.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init) }
            .keyBy(Self.word)
            .window(TumblingEventTimeWindows.of(seconds: 10))
            .aggregate(Count()) { word, window, count in (word, window.start, count) }   // Sluice's built-in Count
            .sink(to: job.sink(topic: output)) { word, start, count in
                SinkRecord(key: Array(word.utf8), value: Array("\(word)\t\(start)\t\(count)".utf8))
            }
    }
}
