// Kafka to files: the word count's job (sentences from a topic, lowercased, split into words,
// keyed by word, counted in 10-second tumbling event-time windows with 2 s of bounded
// out-of-orderness) writing "word <tab> window start ms <tab> count" lines into part files
// under a directory, exactly once by default. A part file stays hidden (.part-….inprogress)
// until the checkpoint that wrote it commits, and is then renamed to part-….txt, so a reader
// that skips hidden files sees every result once, also after a crash.
//
//   kafka-to-files run --bootstrap HOST:PORT --input sentences --directory DIR [--worker-id ID] [--property k=v]…
//   kafka-to-files plan
//
// Runs until SIGINT or SIGTERM, then stops gracefully (finish the round, checkpoint, rename,
// leave the group). `scripts/example.sh kafka-to-files` starts a Tansu broker, writes sample
// sentences and runs it.
import Sluice
import SluiceFile
import SluiceJob

@main
struct KafkaToFiles: StreamJob {
    static let name = "kafka-to-files"
    static let abstract = "Counts words in 10 s tumbling event-time windows, from Kafka into part files under a directory."

    /// The key: the word itself.
    static let word = KeySelector<String, String>("word") { $0 }

    @Option(help: "The topic of sentences (record timestamps are event time). Env: SLUICE_INPUT.")
    var input = "sentences"

    @Option(help: "The directory of part files, created when missing: word<TAB>window start ms<TAB>count lines. Env: SLUICE_DIRECTORY.")
    var directory = "word-counts"

    func build(_ job: JobContext) throws {
        job.environment.fromSource(
            try job.source(topics: [input]), deserializer: UTF8StringCodec(), watermarks: .forBoundedOutOfOrderness(.seconds(2)))
            .flatMap { sentence in sentence.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init) }
            .keyBy(Self.word)
            .window(TumblingEventTimeWindows.of(seconds: 10))
            .aggregate(Count()) { word, window, count in (word, window.start, count) }
            .sink(to: FileSink(directory: directory, format: .text { word, start, count in "\(word)\t\(start)\t\(count)" }))
    }
}
