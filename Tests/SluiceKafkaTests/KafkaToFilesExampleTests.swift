import BrokerRig
import Foundation
import RdKafka
import XCTest

/// The kafka-to-files example run as a user runs it, on Tansu: sentences written here, the
/// example's part files read back and compared with counts computed here; a run killed with
/// SIGKILL and started again leaves every count once; at-least-once makes files visible too.
final class KafkaToFilesExampleTests: KafkaJobTestCase {
    /// Event times start on a window boundary (10 s windows).
    static let base: Int64 = 1_700_000_000_000
    static let sentences = [
        "The quick brown fox jumps over the lazy dog", "the dog sleeps, and the fox runs",
        "A quick brown dog jumps over a lazy fox", "the end", "Fox? Dog! fox.",
    ]

    /// Writes sentences `range` over 3 partitions, 1.7 s of event time apart, each in a batch of
    /// its own (Tansu's end offsets, which `--until end` stops at, count batches).
    func writeSentences(_ range: Range<Int>, with producer: KafkaProducer, topic: String) throws {
        for i in range {
            try producer.send(topic: topic, partition: Int32(i % 3), key: nil,
                              value: Array(Self.sentences[i % Self.sentences.count].utf8), timestamp: Self.base + Int64(i) * 1_700)
        }
        try producer.flush()
    }

    /// The lines the job writes for sentences `0..<count`: `word<TAB>window start<TAB>count`.
    func expectedLines(_ count: Int) -> [String] {
        var counts: [String: Int] = [:]
        for i in 0..<count {
            let timestamp = Self.base + Int64(i) * 1_700
            for word in Self.sentences[i % Self.sentences.count].lowercased().split(whereSeparator: { !$0.isLetter }) {
                counts["\(word)\t\(timestamp - timestamp % 10_000)", default: 0] += 1
            }
        }
        return counts.map { "\($0.key)\t\($0.value)" }.sorted()
    }

    func producer(_ bootstrap: String) throws -> KafkaProducer {
        var configuration = ProducerConfiguration(bootstrapServers: bootstrap)
        configuration.client.properties["batch.num.messages"] = "1"
        return try KafkaProducer(configuration: configuration)
    }

    /// The options of every run on Tansu: Tansu's group settings, and dynamic members, as the
    /// broker-backed tests that stop, kill and restart workers on Tansu run them
    /// (`TansuGroupSettings`).
    func options(_ bootstrap: String, input: String, directory: String) -> [String] {
        ["run", "--bootstrap", bootstrap, "--input", input, "--directory", directory, "--checkpoint-interval", "300ms",
         "--consumer-membership", "dynamic"]
            + Self.groupProperties.sorted { $0.key < $1.key }.flatMap { ["--property", "\($0.key)=\($0.value)"] }
    }

    /// The lines of the visible part files, and the names of hidden files, under `directory`.
    func partFiles(_ directory: String) throws -> (lines: [String], hidden: [String]) {
        var lines: [String] = [], hidden: [String] = []
        for path in try FileManager.default.subpathsOfDirectory(atPath: directory) {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            if name.hasPrefix(".") { hidden.append(path) }
            if name.hasPrefix("part-") {
                lines += try String(contentsOfFile: "\(directory)/\(path)", encoding: .utf8).split(separator: "\n").map(String.init)
            }
        }
        return (lines.sorted(), hidden)
    }

    func testEveryWindowCountLandsInPartFilesOnce() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("sentences")
        try admin.createTopic(input, partitions: 3)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("counts")).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try writeSentences(0..<25, with: try producer(broker.bootstrap), topic: input)
        let expected = expectedLines(25)

        let run = try ExampleProcess.run(
            "kafka-to-files", options(broker.bootstrap, input: input, directory: directory) + ["--worker-id", "kf", "--until", "end"])
        print("[\(name)] kafka-to-files after \(run.duration):\n\(run.stdout)\(run.stderr)")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.outputLines.first,
                       "kafka-to-files: run at \(broker.bootstrap), exactly-once, 1 worker (kf-0), from committed until end")
        XCTAssertTrue(run.outputLines.last?.contains(", \(expected.count) written, ") == true, run.stdout)
        let (lines, hidden) = try partFiles(directory)
        XCTAssertEqual(hidden, [], "no part file left hidden")
        XCTAssertEqual(lines, expected, ResultDiff(lines: lines, expected: expected, keyFields: 2).description)
    }

    /// Killed while its input still arrives, started again with the same worker id: the second
    /// run's recovery finishes or deletes what the first left hidden, and reads on from its last
    /// checkpoint.
    func testARunKilledWithSigkillAndStartedAgainWritesEveryCountOnce() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("sentences")
        try admin.createTopic(input, partitions: 3)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("counts")).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let producer = try producer(broker.bootstrap)
        try writeSentences(0..<100, with: producer, topic: input)

        let first = try ExampleProcess("kafka-to-files", options(broker.bootstrap, input: input, directory: directory) + ["--worker-id", "kf"])
        let deadline = ContinuousClock.now + .seconds(60)
        while (try? partFiles(directory).lines.isEmpty) ?? true, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        // The input goes on arriving; the kill strikes in the middle of it.
        for chunk in 0..<30 {
            try writeSentences((100 + chunk * 10)..<(110 + chunk * 10), with: producer, topic: input)
            Thread.sleep(forTimeInterval: 0.05)
            if chunk == 15 { first.send(SIGKILL) }
        }
        let killed = try first.wait()
        XCTAssertFalse(killed.exited, "killed")
        let expected = expectedLines(400)
        let before = try partFiles(directory)
        XCTAssertFalse(before.lines.isEmpty, "the first run committed part files before it was killed")
        XCTAssertLessThan(before.lines.count, expected.count, "and was killed before it wrote them all")

        let second = try ExampleProcess.run(
            "kafka-to-files", options(broker.bootstrap, input: input, directory: directory) + ["--worker-id", "kf", "--until", "end"])
        print("[\(name)] first run: \(before.lines.count) lines visible, \(before.hidden.count) hidden files at the kill; second run:\n\(second.stdout)\(second.stderr)")
        XCTAssertEqual(second.status, 0, second.stderr)
        let (lines, hidden) = try partFiles(directory)
        XCTAssertEqual(hidden, [], "recovery left no part file hidden")
        XCTAssertEqual(lines.count, expected.count, "every count once")
        XCTAssertEqual(lines, expected, ResultDiff(lines: lines, expected: expected, keyFields: 2).description)
    }

    func testAtLeastOnceMakesEveryCountVisible() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("sentences")
        try admin.createTopic(input, partitions: 3)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("counts")).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try writeSentences(0..<25, with: try producer(broker.bootstrap), topic: input)
        let expected = expectedLines(25)

        let run = try ExampleProcess.run(
            "kafka-to-files",
            options(broker.bootstrap, input: input, directory: directory) + ["--guarantee", "at-least-once", "--until", "end"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let (lines, hidden) = try partFiles(directory)
        XCTAssertEqual(hidden, [])
        XCTAssertEqual(lines, expected, ResultDiff(lines: lines, expected: expected, keyFields: 2).description)
    }
}
