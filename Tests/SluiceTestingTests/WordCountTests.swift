import XCTest
import Sluice
import SluiceTesting

/// The word count of examples/word-count (flatMap → keyBy word → 10 s tumbling event-time
/// window → count), driven record by record with every window result checked as it fires.
final class WordCountTests: XCTestCase {
    private static let outOfOrderness: Int64 = 2_000

    private func wordCountDriver(partitions: Int) throws -> (TestDriver, TestInputTopic<String>, TestOutputTopic<String>) {
        var configuration = JobConfiguration()
        configuration.batchSize = 5
        let driver = TestDriver(jobName: "word-count", configuration: configuration) { env, topics in
            env.fromSource(try topics.source(topics: ["sentences"]), deserializer: UTF8StringCodec(),
                           watermarks: .forBoundedOutOfOrderness(.milliseconds(Self.outOfOrderness)))
                .flatMap { $0.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init) }
                .keyBy(\.self)
                .window(TumblingEventTimeWindows.of(seconds: 10))
                .aggregate(Count()) { word, window, count in (word, window.start, count) }
                .sink(to: topics.sink(topic: "word-counts")) { word, start, count in
                    SinkRecord(key: Array(word.utf8), value: Array("\(word)\t\(start)\t\(count)".utf8))
                }
        }
        let sentences = try driver.input("sentences", partitions: partitions, serializer: UTF8StringCodec())
        return (driver, sentences, driver.output("word-counts", deserializer: UTF8StringCodec()))
    }

    func testEveryWindowIsEmittedOnceItsWatermarkPassesWithTheRightCount() throws {
        let (driver, sentences, counts) = try wordCountDriver(partitions: 3)
        defer { _ = try? driver.close() }
        let plan = try driver.plan
        XCTAssertEqual(plan.stages.count, 2, "keyBy cuts the job into two stages, as in production:\n\(plan)")

        // Sentences from a small vocabulary, timestamps rising ~700 ms apart with up to 1.5 s of
        // disorder (under the 2 s bound, so nothing is late), spread over the partitions in turn.
        let vocabulary = ["Kafka", "stream", "window", "count", "word", "time"]
        var random = SplitMix(state: 11)
        var sentenceList: [(text: String, timestamp: Int64, partition: Int32)] = []
        for index in 0..<120 {
            let words = (0..<(1 + Int(random.next() % 4))).map { _ in vocabulary[Int(random.next() % UInt64(vocabulary.count))] }
            let timestamp = Int64(index) * 700 + Int64(random.next() % 1_500)
            sentenceList.append((words.joined(separator: random.next() % 2 == 0 ? " " : ", ") + ".", timestamp, Int32(index % 3)))
        }

        // The model: per partition the highest timestamp, the combined watermark the minimum.
        var highest: [Int64] = [.min, .min, .min]
        var piped: [(word: String, timestamp: Int64)] = []
        var emitted = Set<Int64>()
        var windowsSeen = 0
        func watermark() -> Int64 {
            highest.map { $0 == .min ? .min : $0 - Self.outOfOrderness - 1 }.min()!
        }
        func expectedFiring(upTo watermark: Int64) -> [String] {
            var fired: [String] = []
            let due = Set(piped.map { $0.timestamp / 10_000 * 10_000 }).filter { $0 + 9_999 <= watermark && !emitted.contains($0) }
            for start in due {
                emitted.insert(start)
                var perWord: [String: Int] = [:]
                for entry in piped where entry.timestamp / 10_000 * 10_000 == start { perWord[entry.word, default: 0] += 1 }
                fired += perWord.map { "\($0.key)\t\(start)\t\($0.value)" }
            }
            return fired.sorted()
        }

        for sentence in sentenceList {
            let before = watermark()
            for word in sentence.text.lowercased().split(whereSeparator: { !$0.isLetter }) {
                XCTAssertGreaterThan(sentence.timestamp / 10_000 * 10_000 + 9_999, before, "the model pipes no late record")
                piped.append((String(word), sentence.timestamp))
            }
            try sentences.pipe(value: sentence.text, timestamp: sentence.timestamp, partition: sentence.partition)
            highest[Int(sentence.partition)] = max(highest[Int(sentence.partition)], sentence.timestamp)
            let expected = expectedFiring(upTo: watermark())
            windowsSeen += expected.isEmpty ? 0 : 1
            XCTAssertEqual(try counts.readValues().sorted(), expected, "after the sentence at \(sentence.timestamp)")
        }
        XCTAssertGreaterThanOrEqual(windowsSeen, 7, "windows fired while sentences were still coming")
        XCTAssertTrue(counts.isEmpty)

        // The last windows wait for the watermark; declaring one fires them, nothing else.
        let last = sentenceList.map(\.timestamp).max()!
        let expected = expectedFiring(upTo: last + 10_000)
        XCTAssertFalse(expected.isEmpty)
        try driver.advanceWatermark(to: last + 10_000)
        let fired = try counts.readAll()
        XCTAssertEqual(fired.map(\.value).sorted(), expected)
        XCTAssertEqual(fired.map { $0.keyString! }.sorted(), expected.map { String($0.split(separator: "\t")[0]) }.sorted())
        XCTAssertEqual(emitted.count, Set(piped.map { $0.timestamp / 10_000 }).count, "every window was emitted")
        let metrics = try XCTUnwrap(try driver.close())
        XCTAssertEqual(metrics.recordsRead, sentenceList.count)
    }

    func testOnePartitionBehindHoldsEveryWindowBack() throws {
        let (driver, sentences, counts) = try wordCountDriver(partitions: 2)
        defer { _ = try? driver.close() }
        try sentences.pipe(value: "a b", timestamp: 1_000, partition: 0)
        try sentences.pipe(value: "a", timestamp: 2_000, partition: 1)
        try sentences.pipe(value: "b", timestamp: 30_000, partition: 0)
        XCTAssertEqual(try counts.readValues(), [], "partition 1 is at 2 s, so the combined watermark is below 10 s")
        try sentences.pipe(value: "c", timestamp: 12_500, partition: 1)
        // Partition 1's watermark is 12500 - 2001 = 10499: window [0, 10 s) fires, [10 s, 20 s) does not.
        XCTAssertEqual(try counts.readValues().sorted(), ["a\t0\t2", "b\t0\t1"])
        try sentences.advanceWatermark(to: 29_999)
        XCTAssertEqual(try counts.readValues(), ["c\t10000\t1"])
        try sentences.advanceWatermark(to: 39_999)
        XCTAssertEqual(try counts.readValues(), ["b\t30000\t1"])
        try sentences.pipe(value: "d d", timestamp: 45_000, partition: 0)
        XCTAssertEqual(try counts.readValues(), [], "partition 1 holds the watermark at 39999")
        // Ending the input is the final watermark: the last window fires, nothing more is taken.
        try sentences.end()
        XCTAssertEqual(try counts.readValues(), ["d\t40000\t2"])
        XCTAssertThrowsError(try sentences.pipe(value: "e", timestamp: 50_000)) { error in
            XCTAssertEqual(error as? TestDriverError, .topicEnded("sentences"))
        }
    }
}

/// A deterministic pseudo-random sequence, so tests are repeatable without fixtures.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
