import BrokerRig
import Foundation
import RdKafka
import XCTest

/// A job run whose settings all come from a `--config` file, on Tansu: the run options show in
/// its first line and its output, the typed client options in librdkafka's own dump of each
/// client's configuration (`consumer.kafka.debug = conf`, `producer.kafka.debug = conf`, shown
/// with `verbose` and `log-level = debug`), which librdkafka writes from what it was given.
///
/// Gap: the dump shows what librdkafka was configured with, not that Tansu honoured it (a 6 s
/// session seen as partitions moving 6 s after a worker dies is what `sluice demo` shows).
final class ConfigFileRunTests: KafkaJobTestCase {
    func testWordCountRunsWithTheSettingsOfItsConfigFile() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("sentences"), output = uniqueName("counts")
        try admin.createTopic(input, partitions: 1)
        try admin.createTopic(output, partitions: 1)
        var producerConfiguration = ProducerConfiguration(bootstrapServers: broker.bootstrap)
        producerConfiguration.client.properties["batch.num.messages"] = "1"   // --until end on Tansu: see ExamplesTests
        let producer = try KafkaProducer(configuration: producerConfiguration)
        let base: Int64 = 1_700_000_000_000
        var expected: [String: Int] = [:]
        for (i, sentence) in ["config files", "typed config", "files and files"].enumerated() {
            let timestamp = base + Int64(i) * 4_000
            try producer.send(topic: input, partition: 0, key: nil, value: Array(sentence.utf8), timestamp: timestamp)
            for word in sentence.split(separator: " ") {
                expected["\(word)\t\(timestamp - timestamp % 10_000)", default: 0] += 1
            }
        }
        try producer.flush()

        let config = FileManager.default.temporaryDirectory.appendingPathComponent("\(uniqueName("job")).conf")
        defer { try? FileManager.default.removeItem(at: config) }
        try """
            # Tansu's JoinGroup waits up to the rebalance timeout (max.poll.interval.ms)
            bootstrap = \(broker.bootstrap)
            guarantee = at-least-once
            worker-id = cfg
            until = end
            checkpoint-interval = 500ms
            consumer.session-timeout = 6s
            consumer.heartbeat-interval = 500ms
            consumer.max-poll-interval = 10s
            consumer.fetch-wait = 100ms
            consumer.fetch-queue-backoff = 25ms
            producer.linger = 7ms
            producer.compression = gzip
            consumer.kafka.debug = conf
            producer.kafka.debug = conf
            log-level = debug
            verbose = true
            """.write(to: config, atomically: true, encoding: .utf8)

        let run = try ExampleProcess.run("word-count", ["run", "--config", config.path, "--input", input, "--output", output])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.outputLines.first, "word-count: run at \(broker.bootstrap), at-least-once, 1 worker (cfg-0), from committed until end")
        XCTAssertTrue(run.outputLines.last?.contains(", \(expected.count) written, ") == true, run.stdout)

        // librdkafka's dump of each client's configuration, `name = value` after the log prefix.
        let dumped = Set(run.stderr.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            guard line.contains("[CONF]") || line.contains("facility=CONF") else { return nil }
            return line.components(separatedBy: "]: ").last?.trimmingCharacters(in: .whitespaces)
        })
        for setting in ["session.timeout.ms = 6000", "heartbeat.interval.ms = 500", "max.poll.interval.ms = 10000",
                        "fetch.wait.max.ms = 100", "fetch.queue.backoff.ms = 25", "queue.buffering.max.ms = 7" /* linger.ms */, "compression.codec = gzip" /* compression.type */] {
            XCTAssertTrue(dumped.contains(setting), "\(setting) not in librdkafka's configuration dump: \(dumped.sorted())")
        }

        let records = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: expected.count)
        var counted: [String: Int] = [:]
        for line in records.compactMap(\.valueString) {
            let fields = line.split(separator: "\t")
            guard fields.count == 3, let count = Int(fields[2]) else { XCTFail("unexpected record \(line)"); continue }
            counted["\(fields[0])\t\(fields[1])", default: 0] += count
        }
        XCTAssertEqual(counted, expected)
    }
}
