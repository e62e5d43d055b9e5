import Foundation
import Logging
import RdKafka
import XCTest

/// README's "A job" snippet is `examples/readme-job/WordCount.swift`, compiled as the
/// `readme-job` executable: the text of the two is compared here so they cannot drift, and the
/// executable is planned and run as README says (`plan`; `run --bootstrap … --until end`)
/// against librdkafka's in-process mock cluster, its counts compared with counts computed here.
///
/// Gap: the mock cluster (Debian's 2.0.2) keeps no offsets committed in transactions and
/// filters no aborted records for a plain consumer, so this run proves the snippet's pipeline
/// and counts, not its exactly-once delivery; `ExamplesTests` proves that for the same pipeline
/// (`examples/word-count`) on Tansu.
final class ReadmeExampleTests: XCTestCase {
    /// The repository's root: three levels above this file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The first Swift code block of README's "## A job" section.
    static func readmeSnippet() throws -> String {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let section = readme.range(of: "\n## A job\n") else { throw ReadmeTestError("README.md has no \"## A job\" section") }
        let rest = readme[section.upperBound...]
        guard let open = rest.range(of: "```swift\n") else { throw ReadmeTestError("README's \"A job\" has no swift code block") }
        guard let close = rest[open.upperBound...].range(of: "\n```") else { throw ReadmeTestError("README's job snippet is not closed") }
        return String(rest[open.upperBound..<close.lowerBound])
    }

    func testReadmeSnippetIsTheCompiledSource() throws {
        let source = try String(
            contentsOf: Self.root.appendingPathComponent("examples/readme-job/WordCount.swift"), encoding: .utf8)
        let snippet = try Self.readmeSnippet()
        XCTAssertTrue(snippet.contains("struct WordCount: StreamJob"), "found the job snippet, not another block")
        XCTAssertEqual(
            snippet.trimmingCharacters(in: .whitespacesAndNewlines), source.trimmingCharacters(in: .whitespacesAndNewlines),
            "README's job snippet and examples/readme-job/WordCount.swift differ: change both")
    }

    func testPlanNeedsNoBroker() throws {
        let run = try ReadmeJobProcess.run(["plan", "--partitions", "2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        // The snippet: sentences -> flatMap -> keyBy(word) -> 10 s tumbling window -> aggregate(Count) -> word-counts.
        XCTAssertEqual(run.outputLines, [
            "job word-count (distributed mode)",
            "  sources: sentences",
            "  stage 0 [2 tasks]: source(sentences) -> deserialize -> flatMap",
            "    => stage 1 via repartition topic word-count-1-repartition by word, 2 partitions",
            "  stage 1 [2 tasks]: exchange -> window(tumbling 10000 ms).aggregate(Count<String>) -> to-record -> sink(kafka:word-counts)",
            "  sinks: kafka:word-counts",
            "  topics to create: word-count-1-repartition",
            "  checkpoint topics (exactly-once): word-count-0-checkpoints [2], word-count-1-checkpoints [2]",
        ])
    }

    func testRunCountsEveryWordPerWindow() throws {
        let quiet = Logger(label: "readme.mock") { _ in SwiftLogNoOpLogHandler() }
        let cluster = try MockCluster(brokers: 1, logger: quiet)
        let input = "readme-sentences", output = "readme-counts"
        try cluster.createTopic(input, partitions: 3)
        try cluster.createTopic(output, partitions: 3)
        // librdkafka 2.0.2's mock cluster cannot create topics (it has no controller), so the
        // topics the job creates for itself on a broker, as its plan names them, are made here.
        for topic in ["word-count-1-repartition", "word-count-0-checkpoints", "word-count-1-checkpoints"] {
            try cluster.createTopic(topic, partitions: 3)
        }

        // Event times start on a 10 s window boundary; 1.7 s apart, so sentences share windows.
        let base: Int64 = 1_700_000_000_000
        let sentences = [
            "To be, or not to be", "The quick brown fox jumps over the lazy dog", "the dog sleeps; the FOX runs",
            "be quick", "Fox? Dog! fox.",
        ]
        var expected: [String: Int] = [:]
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: quiet)
        for i in 0..<20 {
            let sentence = sentences[i % sentences.count], timestamp = base + Int64(i) * 1_700
            try producer.send(topic: input, partition: Int32(i % 3), key: nil, value: Array(sentence.utf8), timestamp: timestamp)
            for word in sentence.lowercased().split(whereSeparator: { !$0.isLetter }) {
                expected["\(word)\t\(timestamp - timestamp % 10_000)", default: 0] += 1
            }
        }
        try producer.flush()
        let expectedLines = expected.map { "\($0.key)\t\($0.value)" }.sorted()

        let run = try ReadmeJobProcess.run([
            "run", "--bootstrap", cluster.bootstrapServers, "--input", input, "--output", output, "--until", "end",
            "--worker-id", "readme", "--checkpoint-interval", "200ms",
        ], deadline: .seconds(60))
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.outputLines.last?.hasPrefix("word-count: finished: ") == true, run.stdout + run.stderr)

        var configuration = ConsumerConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.isolationLevel = .readUncommitted
        let consumer = try KafkaConsumer(configuration: configuration, logger: quiet)
        defer { consumer.close() }
        try consumer.assign((0..<3).map { TopicPartitionOffset(output, $0, offset: 0) })
        var records: [ConsumerRecord] = []
        // Until every expected count arrived, then a little longer so that a count written twice shows.
        var quietUntil = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < quietUntil {
            records += try consumer.poll(timeout: .milliseconds(200))
            if records.count >= expectedLines.count { quietUntil = min(quietUntil, ContinuousClock.now + .seconds(1)) }
        }
        let lines = records.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
        XCTAssertEqual(lines.count, records.count, "every record has a value")
        XCTAssertEqual(lines.sorted(), expectedLines, "one count per word and window, each once")
        for record in records {
            let word = record.value.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\t").first.map(String.init) }
            XCTAssertEqual(record.key.map { String(decoding: $0, as: UTF8.self) }, word, "keyed by its word")
        }
    }
}
