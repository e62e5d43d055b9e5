// The seed job: words with event timestamps, keyed by their first letter, counted in
// 5-second tumbling event-time windows. Run it with `swift run seed-window`.
import Sluice

struct Word: Sendable {
    let text: String
    let timestamp: Int64
}

/// Lists each window's words, like the seed's ProcessWindowFunction.
struct ListWords: ProcessWindowFunction {
    func process(_ key: Character, context: WindowContext, elements: [Word], out: Collector<String>) {
        let words = elements.map(\.text).joined(separator: ", ")
        out.collect("\(key) \(context.window): \(elements.count) word(s): \(words)")
    }
}

let env = StreamEnvironment(jobName: "seed-window")

env.fromElements(
    Word(text: "Apple", timestamp: 1_000), Word(text: "Banana", timestamp: 2_000),
    Word(text: "Avocado", timestamp: 3_000), Word(text: "Cherry", timestamp: 4_000),
    Word(text: "Blueberry", timestamp: 6_000), Word(text: "Date", timestamp: 7_000),
    Word(text: "Apricot", timestamp: 8_000), Word(text: "Elderberry", timestamp: 11_000),
    Word(text: "Fig", timestamp: 12_000), Word(text: "Grape", timestamp: 13_000),
    Word(text: "Honeydew", timestamp: 16_000), Word(text: "Ice plum", timestamp: 17_000),
    Word(text: "Jackfruit", timestamp: 18_000), Word(text: "Banana", timestamp: 19_000)
)
.assignTimestampsAndWatermarks(
    WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner { word, _ in word.timestamp })
.keyBy { $0.text.first! }
.window(TumblingEventTimeWindows.of(seconds: 5))
.process(ListWords())
.print()

print(try env.describe())
try env.execute()
