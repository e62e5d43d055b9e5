import XCTest
import Sluice
import SluiceJobTesting
import SluiceTesting
import WordCountJob

/// The word-count example's `StreamJob` itself (examples/word-count), run by the test kit's
/// `ExactlyOnceTestDriver` on an in-memory broker: workers crash right after a checkpoint and
/// during a commit, replacements restore, new workers join and the group rebalances, the input
/// ends. What a read_committed consumer reads holds every (word, window) count exactly once
/// with the right count, compared with counts computed here from the sentences piped, on every
/// broker behaviour the test kit models (what readers are handed, when offsets show).
final class WordCountExactlyOnceTests: XCTestCase {
    struct Sentence {
        var text: String
        var timestamp: Int64
    }

    /// 180 sentences over 90 s of event time, 500 ms apart with up to 1.5 s of disorder (under
    /// the job's 2 s bound, so none is late), in three batches of 60.
    static let batches: [[Sentence]] = {
        let vocabulary = ["Kafka", "stream", "window", "count", "word", "time", "exactly", "once"]
        var random = SplitMix(state: 14)
        let sentences = (0..<180).map { index in
            let words = (0..<(1 + Int(random.next() % 5))).map { _ in vocabulary[Int(random.next() % UInt64(vocabulary.count))] }
            return Sentence(text: words.joined(separator: random.next() % 2 == 0 ? " " : ", ") + ".",
                            timestamp: Int64(index) * 500 + Int64(random.next() % 1_500))
        }
        return [Array(sentences[0..<60]), Array(sentences[60..<120]), Array(sentences[120...])]
    }()

    /// The job's results, computed without the engine: `word<TAB>window start<TAB>count`.
    static func expectedCounts(_ sentences: [Sentence]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for sentence in sentences {
            for word in sentence.text.lowercased().split(whereSeparator: { !$0.isLetter }) {
                counts["\(word)\t\(sentence.timestamp - sentence.timestamp % 10_000)", default: 0] += 1
            }
        }
        return counts
    }

    func testEveryWindowCountOnceThroughCrashesRestoresAndRebalances() throws {
        let behaviours: [(MemoryBroker.ReadIsolation, MemoryBroker.OffsetVisibility)] = [
            (.readUncommitted, .immediate), (.lastStableOffset, .immediate), (.readCommitted, .immediate),
            (.readUncommitted, .lagging(commits: 3)), (.lastStableOffset, .never),
        ]
        for (isolation, visibility) in behaviours {
            try run(broker: MemoryBroker(isolation: isolation, offsetVisibility: visibility), named: "\(isolation), offsets \(visibility)")
        }
    }

    private func run(broker: MemoryBroker, named behaviour: String) throws {
        var configuration = JobConfiguration()
        // Five records per split and round, so work spreads over many rounds.
        configuration.batchSize = 30
        let driver = ExactlyOnceTestDriver(running: try WordCount.parse([]), broker: broker, configuration: configuration)
        defer { _ = try? driver.close() }
        let sentences = try driver.input("sentences", partitions: 3, serializer: UTF8StringCodec())
        let counts = try driver.output("word-counts", partitions: 3, deserializer: UTF8StringCodec())
        let expected = Self.expectedCounts(Self.batches.flatMap { $0 })
        func pipe(_ batch: [Sentence]) throws {
            try sentences.pipe(batch.map { TestRecord(value: $0.text, key: nil as [UInt8]?, timestamp: $0.timestamp) })
        }
        /// Every committed result so far is one of the expected ones, with its count, and none
        /// twice; returns how many there are.
        @discardableResult
        func checkCommitted(_ moment: String) throws -> Int {
            let records = try counts.readCommitted()
            var seen = Set<String>()
            for record in records {
                let fields = record.value.split(separator: "\t").map(String.init)
                XCTAssertEqual(fields.count, 3, "\(behaviour), \(moment): \(record.value)")
                guard fields.count == 3 else { continue }
                let window = "\(fields[0])\t\(fields[1])"
                XCTAssertTrue(seen.insert(window).inserted, "\(behaviour), \(moment): \(window) committed twice")
                XCTAssertEqual(Int(fields[2]), expected[window], "\(behaviour), \(moment): the count of \(window)")
                XCTAssertEqual(record.keyString, fields[0], "\(behaviour), \(moment): keyed by the word")
            }
            return records.count
        }

        // One worker reads the first batch and checkpoints, reads the second and checkpoints, and
        // crashes right after that checkpoint.
        let first = try driver.startWorker()
        try pipe(Self.batches[0])
        try driver.runRounds(4)
        try driver.checkpoint()
        try pipe(Self.batches[1])
        try driver.runRounds(12)
        try driver.checkpoint()
        let committedAtCrash = try checkCommitted("at the first checkpoints")
        XCTAssertGreaterThan(committedAtCrash, 0, "\(behaviour): windows of the first batch were committed before the crash")
        try driver.crash(first)
        XCTAssertEqual(driver.workers, [], behaviour)
        XCTAssertEqual(driver.group.members, [], "\(behaviour): the crashed worker's session ended")

        // A new worker restores every task from those checkpoints; a second one joins and the
        // group moves half the splits to it, revoked from the first before it gets them.
        let restored = try driver.startWorker()
        XCTAssertEqual(driver.group.assignment(of: restored).count, 6, "\(behaviour): all 3 input and 3 repartition partitions")
        try driver.runRounds(2)
        let joined = try driver.startWorker()
        XCTAssertEqual(driver.group.assignment(of: joined), [], "\(behaviour): nothing until the first worker let go")
        try pipe(Self.batches[2])
        try driver.runRounds(6)
        XCTAssertEqual(driver.group.assignment(of: restored).count, 3, behaviour)
        XCTAssertEqual(driver.group.assignment(of: joined).count, 3, behaviour)
        try checkCommitted("after the rebalance")

        // Both checkpoint, so each applies the other's records, and fire windows in the next
        // rounds. Then the second worker crashes during its next commit, with the work of those
        // rounds (window results included) in its transaction: all of it aborts, and the first
        // worker takes its splits back.
        try driver.checkpoint()
        try driver.runRounds(4)
        let abortedBefore = try Self.recordsOfAbortedTransactions(in: "word-counts", broker: broker)
        try driver.crashAtNextCommit(joined)
        try driver.checkpoint()
        XCTAssertEqual(driver.workers, [restored], behaviour)
        XCTAssertGreaterThan(
            try Self.recordsOfAbortedTransactions(in: "word-counts", broker: broker), abortedBefore,
            "\(behaviour): the crash threw away window results of its transaction")
        try checkCommitted("after the crash during a commit")

        // A third worker joins; the input ends; the workers run until nothing moves.
        let third = try driver.startWorker()
        try driver.runRounds(3)
        XCTAssertFalse(driver.group.assignment(of: third).isEmpty, "\(behaviour): the rebalance gave the third worker splits")
        try driver.endInputs()
        try driver.settle()

        XCTAssertEqual(try checkCommitted("at the end"), expected.count, "\(behaviour): every window once")
        let lines = try counts.readCommittedValues().sorted()
        XCTAssertEqual(lines, expected.map { "\($0.key)\t\($0.value)" }.sorted(), "\(behaviour): every count, exactly once")
        XCTAssertEqual(driver.workers, [restored, third], behaviour)
    }

    /// The snippet of the "A first job" article (GettingStarted.md), as it stands.
    func testTheGettingStartedSnippet() throws {
        let driver = ExactlyOnceTestDriver(running: try WordCount.parse([]))
        let sentences = try driver.input("sentences", partitions: 3, serializer: UTF8StringCodec())
        let counts = try driver.output("word-counts", partitions: 3, deserializer: UTF8StringCodec())
        let first = try driver.startWorker()
        try sentences.pipe(value: "to be or not to be", timestamp: 1_000)
        try driver.runRounds(3)
        try driver.checkpoint()
        try driver.crash(first)                 // its open transaction aborts
        try driver.startWorker()                // restores from the checkpoint
        try driver.startWorker()                // the group rebalances: revoke, then assign
        try driver.endInputs()
        try driver.settle()
        XCTAssertEqual(try counts.readCommittedValues().sorted(), ["be\t0\t2", "not\t0\t1", "or\t0\t1", "to\t0\t2"])
    }

    /// Records of `topic` written in transactions that aborted.
    static func recordsOfAbortedTransactions(in topic: String, broker: MemoryBroker) throws -> Int {
        let partitions = try XCTUnwrap(broker.partitionCount(topic), "no topic \(topic)")
        return (0..<partitions).flatMap { broker.records(Split(topic: topic, partition: Int32($0))) }.filter { record in
            record.transaction.map { broker.outcome(ofTransaction: $0) == .aborted } ?? false
        }.count
    }
}

/// A deterministic pseudo-random sequence, so the test is repeatable without fixtures.
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
