import BrokerRig
import Foundation
import RdKafka
import XCTest

/// `kafka-to-postgres`, run as a user runs it, on Tansu and a PostgreSQL server: the word
/// count's rows, computed here from the sentences, each once in the table it creates; and a
/// server without prepared transactions refused in one line.
final class KafkaToPostgresExampleTests: PostgresJobTestCase {
    static let sentences = [
        "The quick brown fox jumps over the lazy dog", "the dog sleeps, and the fox runs!",
        "A quick brown dog jumps over a lazy fox", "The end. THE END?",
    ]
    static let base: Int64 = 1_700_000_000_000

    /// The example's binary, built next to the test bundle.
    private func example() throws -> String {
        let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kafka-to-postgres")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw BrokerRigError.setupMissing("\(url.path) is missing: build with `swift build --build-tests`")
        }
        return url.path
    }

    /// Runs the example to its end; returns its exit status and output.
    private func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("kafka-to-postgres") + ".log")
        defer { try? FileManager.default.removeItem(at: log) }
        let child = try ChildProcess(try example(), arguments, output: .log(log))
        if !child.wait(timeout: 120) {
            child.stop(grace: 5)
            XCTFail("kafka-to-postgres did not end within 120 s")
        }
        return (child.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// Writes the sentences three times over, 2.5 s of event time apart; returns the expected
    /// rows `word <tab> window start <tab> count`, sorted.
    private func produceSentences(to topic: String, bootstrap: String) throws -> [String] {
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap))
        var counts: [String: Int] = [:]
        for (index, sentence) in (Self.sentences + Self.sentences + Self.sentences).enumerated() {
            let timestamp = Self.base + Int64(index) * 2_500
            try producer.send(topic: topic, partition: Int32(index % 3), key: Array("s\(index)".utf8), value: Array(sentence.utf8),
                              timestamp: timestamp)
            // A batch of its own: Tansu reports as a partition's end the start of its last batch,
            // where `--until end` stops.
            try producer.flush()
            for word in sentence.lowercased().split(whereSeparator: { !$0.isLetter }) {
                counts["\(word)\t\(timestamp - timestamp % 10_000)", default: 0] += 1
            }
        }
        return counts.map { "\($0.key)\t\($0.value)" }.sorted()
    }

    private func jobArguments(bootstrap: String, input: String, postgres: String, table: String) -> [String] {
        ["run", "--bootstrap", bootstrap, "--input", input, "--postgres", postgres, "--table", table, "--worker-id", "w1",
         "--until", "end", "--checkpoint-interval", "500ms", "--property", "session.timeout.ms=6000",
         "--property", "max.poll.interval.ms=10000", "--property", "heartbeat.interval.ms=500"]
    }

    func testTheWordCountLandsInTheTableOnce() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin, postgres) = try startServers()
        defer {
            broker.stop()
            postgres.stop()
        }
        let input = uniqueName("sentences")
        try admin.createTopic(input, partitions: 3)
        let expected = try produceSentences(to: input, bootstrap: broker.bootstrap)
        let (status, output) = try run(jobArguments(bootstrap: broker.bootstrap, input: input, postgres: postgres.url, table: "word_counts"))
        XCTAssertEqual(status, 0, output)
        let rows = try postgres.lines("SELECT word, window_start, count FROM word_counts")
        print("[\(name)] \(rows.count) rows, expected \(expected.count)")
        XCTAssertEqual(rows, expected)
        let key = try postgres.lines("""
            SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
            WHERE i.indrelid = 'word_counts'::regclass AND i.indisprimary
            """)
        XCTAssertEqual(key, ["window_start", "word"], "the table's primary key is (word, window_start)")
        XCTAssertEqual(try postgres.preparedTransactions(), [])
    }

    func testAServerWithoutPreparedTransactionsIsRefusedInOneLine() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin, postgres) = try startServers(maxPreparedTransactions: 0)
        defer {
            broker.stop()
            postgres.stop()
        }
        let input = uniqueName("sentences")
        try admin.createTopic(input, partitions: 3)
        _ = try produceSentences(to: input, bootstrap: broker.bootstrap)
        let (status, output) = try run(jobArguments(bootstrap: broker.bootstrap, input: input, postgres: postgres.url, table: "word_counts"))
        let errors = output.split(separator: "\n").filter { $0.hasPrefix("kafka-to-postgres: error:") }
        print("[\(name)] \(errors.first ?? "no error line")")
        XCTAssertEqual(status, 1, output)
        XCTAssertEqual(errors.count, 1, output)
        XCTAssertTrue(errors.first?.contains("max_prepared_transactions = 0") == true, output)
        XCTAssertTrue(errors.first?.contains(postgres.server) == true, output)
        // At-least-once, chosen explicitly, runs there.
        let (lenient, lenientOutput) = try run(
            jobArguments(bootstrap: broker.bootstrap, input: input, postgres: postgres.url, table: "word_counts")
                + ["--postgres-guarantee", "at-least-once"])
        XCTAssertEqual(lenient, 0, lenientOutput)
        XCTAssertGreaterThan(try postgres.count("word_counts"), 0)
    }
}
