import BrokerRig
import Foundation
import RdKafka
import XCTest

/// Every example executable run as a user runs it: the Kafka ones on Tansu through the job
/// command (`run --bootstrap …`), with input written here and output read as a read_committed
/// consumer would (``Verifier``), every value compared with results computed here; the
/// failures a user meets end in one line and a non-zero status.
final class ExamplesTests: KafkaJobTestCase {
    /// Event times start on a window boundary (10 s windows).
    static let base: Int64 = 1_700_000_000_000

    /// The options every Tansu run takes: Tansu's JoinGroup waits up to the rebalance timeout.
    static func tansu(_ bootstrap: String) -> [String] {
        ["--bootstrap", bootstrap, "--checkpoint-interval", "500ms"] + groupProperties.sorted { $0.key < $1.key }
            .flatMap { ["--property", "\($0.key)=\($0.value)"] }
    }

    /// A producer writing every record as a batch of its own. `--until end` stops at the high
    /// watermark a partition had when assigned, and Tansu 0.6 reports as high watermark the
    /// base offset of the partition's last batch + 1: the records after the first of a last
    /// batch of several would not be read (a gap of that broker, not of the job).
    static func producer(_ bootstrap: String) throws -> KafkaProducer {
        var configuration = ProducerConfiguration(bootstrapServers: bootstrap)
        configuration.client.properties["batch.num.messages"] = "1"
        return try KafkaProducer(configuration: configuration)
    }

    // MARK: seed-window

    func testSeedWindowPrintsEveryWindow() throws {
        let words: [(String, Int64)] = [
            ("Apple", 1_000), ("Banana", 2_000), ("Avocado", 3_000), ("Cherry", 4_000), ("Blueberry", 6_000),
            ("Date", 7_000), ("Apricot", 8_000), ("Elderberry", 11_000), ("Fig", 12_000), ("Grape", 13_000),
            ("Honeydew", 16_000), ("Ice plum", 17_000), ("Jackfruit", 18_000), ("Banana", 19_000),
        ]
        var windows: [String: [String]] = [:]
        for (word, timestamp) in words {
            let start = timestamp - timestamp % 5_000
            windows["\(word.first!) [\(start), \(start + 5_000))", default: []].append(word)
        }
        let expected = Set(windows.map { "\($0.key): \($0.value.count) word(s): \($0.value.joined(separator: ", "))" })

        let run = try ExampleProcess.run("seed-window", [])
        XCTAssertEqual(run.status, 0, run.stderr)
        let printed = run.outputLines.filter { $0.contains(" word(s): ") }
        XCTAssertEqual(printed.count, expected.count, run.stdout)
        XCTAssertEqual(Set(printed), expected)
    }

    // MARK: plan

    func testPlanNeedsNoBroker() throws {
        let run = try ExampleProcess.run("word-count", ["plan", "--partitions", "2", "--input", "lines", "--output", "counts"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.outputLines, [
            "job word-count (distributed mode)",
            "  sources: lines",
            "  stage 0 [2 tasks]: source(lines) -> deserialize -> flatMap",
            "    => stage 1 via repartition topic word-count-1-repartition by word, 2 partitions",
            "  stage 1 [2 tasks]: exchange -> window(tumbling 10000 ms).aggregate(Count<String>) -> to-record -> sink(kafka:counts)",
            "  sinks: kafka:counts",
            "  topics to create: word-count-1-repartition",
            "  checkpoint topics (exactly-once): word-count-0-checkpoints [2], word-count-1-checkpoints [2]",
        ])
        // The job's own options come from the environment too.
        let fromEnvironment = try ExampleProcess.run("order-totals", ["plan"], environment: ["SLUICE_INPUT": "purchases"])
        XCTAssertEqual(fromEnvironment.status, 0, fromEnvironment.stderr)
        XCTAssertEqual(fromEnvironment.outputLines.dropFirst().first, "  sources: purchases")
        XCTAssertEqual(fromEnvironment.outputLines.dropFirst(2).first, "  stage 0 [3 tasks]: source(purchases) -> deserialize -> timestamps")
    }

    // MARK: word-count

    func testWordCountCountsEveryWindowExactlyOnce() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("sentences"), output = uniqueName("counts")
        try admin.createTopic(input, partitions: 3)
        try admin.createTopic(output, partitions: 3)
        let sentences = [
            "The quick brown fox jumps over the lazy dog", "the dog sleeps, and the fox runs",
            "A quick brown dog jumps over a lazy fox", "the end", "Fox? Dog! fox.",
        ]
        var expected: [String: Int] = [:]
        let producer = try Self.producer(broker.bootstrap)
        for i in 0..<25 {
            let sentence = sentences[i % sentences.count], timestamp = Self.base + Int64(i) * 1_700
            try producer.send(topic: input, partition: Int32(i % 3), key: nil, value: Array(sentence.utf8), timestamp: timestamp)
            for word in sentence.lowercased().split(whereSeparator: { !$0.isLetter }) {
                expected["\(word)\t\(timestamp - timestamp % 10_000)", default: 0] += 1
            }
        }
        try producer.flush()

        // The input and the brokers come from the environment; --output wins over SLUICE_OUTPUT.
        let run = try ExampleProcess.run(
            "word-count", ["run", "--output", output, "--until", "end"] + Self.tansu(broker.bootstrap).dropFirst(2),
            environment: ["SLUICE_BOOTSTRAP": broker.bootstrap, "SLUICE_INPUT": input, "SLUICE_OUTPUT": "not-this-one",
                          "SLUICE_WORKER_ID": "wc"])
        print("[\(name)] word-count after \(run.duration):\n\(run.stdout)\(run.stderr)")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.outputLines.first, "word-count: run at \(broker.bootstrap), exactly-once, 1 worker (wc-0), from committed until end")
        XCTAssertTrue(run.outputLines.last?.hasPrefix("word-count: finished: ") == true, run.stdout)
        XCTAssertTrue(run.outputLines.last?.contains(", \(expected.count) written, ") == true, run.stdout)

        let records = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: expected.count)
        let lines = records.compactMap(\.valueString)
        let expectedLines = expected.map { "\($0.key)\t\($0.value)" }
        for record in records {
            XCTAssertEqual(record.keyString, record.valueString?.split(separator: "\t").first.map(String.init), "keyed by word")
        }
        XCTAssertEqual(lines.count, expected.count, "one result per word and window, none twice")
        XCTAssertEqual(lines.sorted(), expectedLines.sorted(), ResultDiff(lines: lines, expected: expectedLines, keyFields: 2).description)
    }

    // MARK: order-totals

    /// An order as the test writes it.
    struct TestOrder: Codable {
        var order: String
        var customer: String
        var amount: Double
        var ts: Int64
    }

    /// A total as the job writes it.
    struct TestTotal: Codable, Equatable, Hashable {
        var customer: String
        var windowStart: Int64
        var windowEnd: Int64
        var total: Double
        var count: Int
    }

    /// 90 orders of 5 customers over 60 s of event time in 3 partitions; amounts are
    /// multiples of 0.25, so every sum is exact.
    static let orders: [(order: TestOrder, partition: Int32)] = (0..<90).map { i in
        (TestOrder(order: "o-\(i)", customer: "c\(i * 7 % 5)", amount: Double(i % 9) * 1.25 + 0.5, ts: base + Int64(i) * 667),
         Int32(i % 3))
    }

    /// The totals of `orders` whose windows start at or after `from` and before `before`.
    static func expectedTotals(from: Int64 = 0, before: Int64 = .max) -> Set<TestTotal> {
        var totals: [String: TestTotal] = [:]
        for (order, _) in orders {
            let start = order.ts - order.ts % 10_000
            guard start >= from, start < before else { continue }
            let key = "\(order.customer)@\(start)"
            var total = totals[key] ?? TestTotal(customer: order.customer, windowStart: start, windowEnd: start + 10_000, total: 0, count: 0)
            total.total += order.amount
            total.count += 1
            totals[key] = total
        }
        return Set(totals.values)
    }

    private func writeOrders(bootstrap: String, topic: String) throws {
        let producer = try Self.producer(bootstrap)
        for (order, partition) in Self.orders {
            try producer.send(
                topic: topic, partition: partition, key: Array(order.order.utf8), value: Array(try JSONEncoder().encode(order)),
                timestamp: order.ts)
        }
        try producer.flush()
    }

    private func decodeTotals(_ records: [CommittedRecord]) throws -> [TestTotal] {
        try records.map { record in
            let total = try JSONDecoder().decode(TestTotal.self, from: Data(record.value))
            XCTAssertEqual(record.keyString, total.customer, "keyed by customer")
            return total
        }
    }

    func testOrderTotalsSumsEveryCustomerWindowExactlyOnce() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, input, output) = try startOrders()
        defer { broker.stop() }
        let expected = Self.expectedTotals()

        let run = try ExampleProcess.run(
            "order-totals", ["run", "--input", input, "--output", output, "--until", "end", "--worker-id", "ot"] + Self.tansu(broker.bootstrap))
        print("[\(name)] order-totals after \(run.duration):\n\(run.stdout)\(run.stderr)")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.outputLines.last?.contains(", \(expected.count) written, ") == true, run.stdout)

        try assertTotals(in: output, of: broker, equal: expected)
    }

    /// `--until <time>`: each partition stops before its first order at or after the time (record
    /// timestamps are the orders' `ts`), so the run writes exactly the totals of the windows
    /// before it and exits 0.
    func testOrderTotalsUntilATime() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, input, output) = try startOrders()
        defer { broker.stop() }
        let until = Self.base + 30_000, time = "2023-11-14T22:13:50Z"
        XCTAssertEqual(Date(timeIntervalSince1970: Double(until) / 1000), ISO8601DateFormatter().date(from: time))
        let expected = Self.expectedTotals(before: until)

        let run = try ExampleProcess.run(
            "order-totals", ["run", "--input", input, "--output", output, "--until", time] + Self.tansu(broker.bootstrap))
        print("[\(name)] order-totals --until \(time) after \(run.duration):\n\(run.stdout)\(run.stderr)")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.outputLines.first?.hasSuffix("from committed until \(time)") == true, run.stdout)
        XCTAssertTrue(run.outputLines.last?.contains(", \(expected.count) written, ") == true, run.stdout)
        try assertTotals(in: output, of: broker, equal: expected)
    }

    /// `--from <time> --until end` after a full run: the group's offsets move to the first
    /// record at or after the time, state starts empty, and the run reproduces the totals of
    /// the windows from that time on.
    func testOrderTotalsReplayFromATime() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, input, output) = try startOrders()
        defer { broker.stop() }
        let arguments = ["run", "--input", input, "--output", output, "--until", "end", "--worker-id", "ot"] + Self.tansu(broker.bootstrap)
        let first = try ExampleProcess.run("order-totals", arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        let all = Self.expectedTotals()
        let before = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: all.count)
        XCTAssertEqual(Set(try decodeTotals(before)), all)

        // Replay from 30 s on, a window boundary: the windows from there on, once more.
        let from = Self.base + 30_000
        let replayed = Self.expectedTotals(from: from)
        let time = "2023-11-14T22:13:50Z"
        XCTAssertEqual(Date(timeIntervalSince1970: Double(from) / 1000), ISO8601DateFormatter().date(from: time))
        let replay = try ExampleProcess.run("order-totals", arguments + ["--from", time])
        print("[\(name)] replay after \(replay.duration):\n\(replay.stdout)\(replay.stderr)")
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertTrue(replay.stdout.contains("order-totals: replay: starting from \(time) with empty state; 3 partitions moved"), replay.stdout)
        let after = try Verifier.committedRecords(
            broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: all.count + replayed.count)
        let old = Set(before.map { "\($0.partition)@\($0.offset)" })
        let new = after.filter { !old.contains("\($0.partition)@\($0.offset)") }
        let totals = try decodeTotals(new)
        XCTAssertEqual(totals.count, replayed.count, "each replayed window once")
        XCTAssertEqual(Set(totals), replayed)
    }

    /// Starts Tansu with an orders topic holding the test's orders and an empty totals topic.
    private func startOrders() throws -> (broker: TestBroker, input: String, output: String) {
        let (broker, admin) = try startTansu()
        let input = uniqueName("orders"), output = uniqueName("totals")
        do {
            try admin.createTopic(input, partitions: 3)
            try admin.createTopic(output, partitions: 3)
            try writeOrders(bootstrap: broker.bootstrap, topic: input)
        } catch {
            broker.stop()
            throw error
        }
        return (broker, input, output)
    }

    /// Reads `output` as read_committed and checks it holds each of `expected` once, nothing else.
    private func assertTotals(in output: String, of broker: TestBroker, equal expected: Set<TestTotal>, line: UInt = #line) throws {
        let records = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: expected.count)
        let totals = try decodeTotals(records)
        XCTAssertEqual(totals.count, expected.count, "no total twice", line: line)
        XCTAssertEqual(Set(totals), expected, line: line)
    }

    // MARK: dead-letters

    func testDeadLettersOnTwoWorkersStopGracefullyOnSigterm() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("readings"), output = uniqueName("fahrenheit"), deadLetters = uniqueName("dlq")
        try admin.createTopic(input, partitions: 2)
        try admin.createTopic(output, partitions: 2)
        try admin.createTopic(deadLetters, partitions: 1)
        let malformed = ["{not json", #"{"sensor":"s9"}"#, #"{"sensor":"s1","celsius":"warm"}"#]
        var expected: Set<String> = []
        let producer = try Self.producer(broker.bootstrap)
        for i in 0..<30 {
            if i % 10 == 4 {
                try producer.send(topic: input, partition: Int32(i % 2), key: Array("bad-\(i / 10)".utf8),
                                  value: Array(malformed[i / 10].utf8), headers: [KafkaHeader("origin", "test-\(i / 10)")])
            }
            let celsius = Double(i) * 1.5 - 10
            try producer.send(topic: input, partition: Int32(i % 2), key: Array("s\(i % 4)".utf8),
                              value: Array(#"{"sensor":"s\#(i % 4)","celsius":\#(celsius)}"#.utf8))
            expected.insert("s\(i % 4)\t\(celsius * 9 / 5 + 32)")
        }
        try producer.flush()
        let bad = try readAll(bootstrap: broker.bootstrap, topic: input, count: 33).filter { $0.key?.starts(with: Array("bad".utf8)) == true }
        XCTAssertEqual(bad.count, 3)

        // The group's settings come from a properties file this time. Two members share the
        // partitions: dynamic ones, as Tansu 0.6 does not follow static members that hand some
        // over (see KafkaJobTestCase.groupOptions).
        let properties = FileManager.default.temporaryDirectory.appendingPathComponent("\(uniqueName("group")).properties")
        defer { try? FileManager.default.removeItem(at: properties) }
        try (["# Tansu's JoinGroup waits up to the rebalance timeout"] + Self.groupProperties.map { "\($0.key) = \($0.value)" })
            .joined(separator: "\n").write(to: properties, atomically: true, encoding: .utf8)
        let job = try ExampleProcess(
            "dead-letters",
            ["run", "--bootstrap", broker.bootstrap, "--checkpoint-interval", "500ms", "--properties-file", properties.path,
             "--input", input, "--output", output, "--dead-letters", deadLetters, "--workers", "2", "--worker-id", "dl",
             "--consumer-membership", "dynamic"])
        let results = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: expected.count, timeout: 90)
        let letters = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: deadLetters, expect: 3)
        job.send(SIGTERM)
        let run = try job.wait(timeout: .seconds(60))
        print("[\(name)] dead-letters after \(run.duration):\n\(run.stdout)\(run.stderr)")
        XCTAssertTrue(run.exited)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.outputLines.first, "dead-letters: run at \(broker.bootstrap), exactly-once, 2 workers (dl-0, dl-1), from committed until stopped")
        XCTAssertTrue(run.stdout.contains("dead-letters: stopping after the current round (final checkpoint, leaving the group)"), run.stdout)
        XCTAssertTrue(run.outputLines.last?.hasPrefix("dead-letters: stopped: ") == true, run.stdout)
        XCTAssertTrue(run.outputLines.last?.hasSuffix(", 3 dead-lettered") == true, run.stdout)

        XCTAssertEqual(results.count, expected.count, "no reading twice")
        XCTAssertEqual(Set(results.compactMap(\.valueString)), expected)
        // The committed dead letters, with the headers a plain read of the same offsets shows.
        XCTAssertEqual(letters.count, 3, "each bad record once")
        let plain = try readAll(bootstrap: broker.bootstrap, topic: deadLetters, count: 3)
        for original in bad {
            let letter = letters.first { $0.key == original.key }
            XCTAssertEqual(letter?.value, original.value, "the original value of \(String(decoding: original.key ?? [], as: UTF8.self))")
            let read = try XCTUnwrap(plain.first { $0.offset == letter?.offset })
            let headers = Dictionary(read.headers.map { ($0.key, String(decoding: $0.value ?? [], as: UTF8.self)) }) { first, _ in first }
            let index = Int(String(decoding: original.key ?? [], as: UTF8.self).dropFirst(4))!
            XCTAssertEqual(headers["origin"], "test-\(index)", "original headers are kept")
            XCTAssertEqual(headers["sluice.dlq.topic"], input)
            XCTAssertEqual(headers["sluice.dlq.partition"], String(original.partition))
            XCTAssertEqual(headers["sluice.dlq.offset"], String(original.offset))
            XCTAssertTrue(headers["sluice.dlq.error"]?.hasPrefix("deserialize: ") == true, headers["sluice.dlq.error"] ?? "no error header")
        }
    }

    // MARK: Failures

    /// Exits with `status` and exactly one line `<job>: error: …` last on standard error that
    /// names every string of `naming`; no Swift crash.
    private func expectFailure(_ run: ExampleProcess.Outcome, job: String, naming: [String], file: StaticString = #filePath, line: UInt = #line) {
        print("[\(name)] \(job) exited \(run.status) after \(run.duration): \(run.stderr)")
        XCTAssertTrue(run.exited, "ended by a signal", file: file, line: line)
        XCTAssertEqual(run.status, 1, file: file, line: line)
        let errors = run.errorLines.filter { $0.hasPrefix("\(job): error: ") }
        XCTAssertEqual(errors.count, 1, run.stderr, file: file, line: line)
        XCTAssertEqual(run.errorLines.last, errors.first, "the error is the last line", file: file, line: line)
        for text in naming {
            XCTAssertTrue(errors.first?.contains(text) == true, "names '\(text)': \(run.stderr)", file: file, line: line)
        }
        XCTAssertFalse(run.stderr.contains("Fatal error"), run.stderr, file: file, line: line)
        XCTAssertFalse(run.stderr.lowercased().contains("backtrace"), run.stderr, file: file, line: line)
    }

    func testAnUnreachableBrokerEndsInOneLine() throws {
        let run = try ExampleProcess.run("word-count", ["run", "--bootstrap", "127.0.0.1:1"], timeout: .seconds(60))
        expectFailure(run, job: "word-count", naming: ["127.0.0.1:1"])
        XCTAssertTrue(run.stderr.contains("cannot reach Kafka at 127.0.0.1:1"), "an outage reported as one: \(run.stderr)")
        XCTAssertLessThan(run.duration, .seconds(30))
    }

    func testNonsenseArgumentsShowTheUsage() throws {
        let run = try ExampleProcess.run("order-totals", ["run", "--bootstrap", "127.0.0.1:1", "--guarantee", "nonsense"])
        XCTAssertTrue(run.exited)
        XCTAssertEqual(run.status, 64, "ArgumentParser's validation status")
        XCTAssertTrue(run.stderr.contains("'nonsense' is invalid for '--guarantee <guarantee>'"), run.stderr)
        XCTAssertTrue(run.stderr.contains("Usage: order-totals run"), run.stderr)
        XCTAssertFalse(run.stderr.contains("Fatal error"), run.stderr)
        XCTAssertEqual(run.stdout, "", "nothing ran")
        for arguments in [["--workers", "0"], ["--checkpoint-interval", "2 parsecs"], ["--from", "sentences:x:1"], ["--property", "novalue"]] {
            let bad = try ExampleProcess.run("order-totals", ["run", "--bootstrap", "127.0.0.1:1"] + arguments)
            XCTAssertEqual(bad.status, 64, "\(arguments): \(bad.stderr)")
            XCTAssertTrue(bad.stderr.contains(arguments[0]), "names \(arguments[0]): \(bad.stderr)")
        }
    }

    func testMissingTopicAndMalformedRecordEndInOneLine() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let missing = uniqueName("no-such-orders")
        let absent = try ExampleProcess.run("order-totals", ["run", "--input", missing, "--until", "end"] + Self.tansu(broker.bootstrap))
        expectFailure(absent, job: "order-totals", naming: [missing, broker.bootstrap, "does not exist"])

        // Under the fail policy, a record whose amount is no number stops the job.
        let input = uniqueName("orders"), output = uniqueName("totals")
        try admin.createTopic(input, partitions: 2)
        try admin.createTopic(output, partitions: 2)
        let producer = try Self.producer(broker.bootstrap)
        for i in 0..<4 {
            try producer.send(topic: input, partition: Int32(i % 2), key: nil,
                              value: Array(#"{"order":"o-\#(i)","customer":"c1","amount":2.5,"ts":\#(Self.base + Int64(i))}"#.utf8))
        }
        try producer.send(topic: input, partition: 1, key: Array("bad".utf8),
                          value: Array(#"{"order":"o-9","customer":"c1","amount":"lots","ts":\#(Self.base)}"#.utf8))
        try producer.flush()
        let bad = try XCTUnwrap(readAll(bootstrap: broker.bootstrap, topic: input, count: 5).first { $0.key == Array("bad".utf8) })
        let failed = try ExampleProcess.run(
            "order-totals", ["run", "--input", input, "--output", output, "--until", "end"] + Self.tansu(broker.bootstrap))
        expectFailure(failed, job: "order-totals", naming: [
            "topic \(input), partition 1, offset \(bad.offset)", "deserialize", "field amount",
        ])
    }
}
