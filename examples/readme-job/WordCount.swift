import Sluice
import SluiceJob

@main
struct WordCount: StreamJob {
    static let name = "word-count"                 // the job's name: its consumer group, its topics' prefix
    static let word = KeySelector<String, String>("word") { $0 }   // a named key
    @Option var input = "sentences"
    @Option var output = "word-counts"

    func build(_ job: JobContext) throws {
        job.environment.fromSource(try job.source(topics: [input]), deserializer: UTF8StringCodec(),
                                   watermarks: .forBoundedOutOfOrderness(.seconds(2)))
            .flatMap { $0.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init) }
            .keyBy(Self.word)
            .window(TumblingEventTimeWindows.of(seconds: 10))
            .aggregate(Count()) { word, window, count in (word, window.start, count) }   // Count, Sum, Min, Max: built in
            .sink(to: job.sink(topic: output)) { word, start, count in
                SinkRecord(key: Array(word.utf8), value: Array("\(word)\t\(start)\t\(count)".utf8))
            }
    }
}
