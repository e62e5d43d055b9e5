import BrokerRig
import Foundation
import RdKafka
import RigTestSupport
import Sluice
import Synchronization
import XCTest

/// `word-count run --metrics-port 0` on Tansu under continuous input: the test scrapes
/// `/metrics` while the job runs and checks records in, consumer lag, watermark lag and
/// checkpoints against what it produced, then, once input stops, that every record was read and
/// every partition's lag is zero at the high watermark the test knows.
final class MetricsEndpointKafkaTests: KafkaJobTestCase {
    /// Writes sentences stamped with the wall clock, one record per batch (Tansu's high
    /// watermark, see ``ExamplesTests/producer(_:)``), round robin over `partitions`, counting
    /// per partition what it sent (before the send) and what was flushed.
    final class SentenceFeeder: Sendable {
        let partitions: Int
        private let sent: Mutex<[Int]>
        private let flushed: Mutex<[Int]>
        private let stopping = Atomic<Bool>(false)
        private let failure = Mutex<String?>(nil)
        private let done = DispatchSemaphore(value: 0)
        /// When the first record was stamped (ms since the epoch).
        let started = Int64(Date().timeIntervalSince1970 * 1000)

        init(bootstrap: String, topic: String, partitions: Int) throws {
            self.partitions = partitions
            sent = Mutex(Array(repeating: 0, count: partitions))
            flushed = Mutex(Array(repeating: 0, count: partitions))
            let producer = try ExamplesTests.producer(bootstrap)
            Thread { [self] in
                defer { done.signal() }
                var index = 0
                while !stopping.load(ordering: .acquiring) {
                    do {
                        for _ in 0..<10 {
                            let partition = index % partitions
                            sent.withLock { $0[partition] += 1 }
                            try producer.send(
                                topic: topic, partition: Int32(partition), key: nil, value: Array("alpha beta gamma \(index % 7)".utf8),
                                timestamp: Int64(Date().timeIntervalSince1970 * 1000))
                            index += 1
                        }
                        try producer.flush()
                        let now = sent.withLock { $0 }
                        flushed.withLock { $0 = now }
                    } catch {
                        failure.withLock { $0 = "writing sentence \(index) to \(topic): \(error)" }
                        return
                    }
                    Thread.sleep(forTimeInterval: 0.1)
                }
            }.start()
        }

        /// Records sent so far per partition (some may not be flushed yet).
        var sentCounts: [Int] { sent.withLock { $0 } }

        /// Stops and returns the records written per partition, all flushed.
        func stop() throws -> [Int] {
            stopping.store(true, ordering: .releasing)
            done.wait()
            if let failure = failure.withLock({ $0 }) { throw JobTestError(failure) }
            let written = flushed.withLock { $0 }
            XCTAssertEqual(written, sentCounts, "every record sent was flushed")
            return written
        }
    }

    func testScrapesShowRecordsLagAndCheckpointsMoving() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("sentences"), output = uniqueName("counts")
        try admin.createTopic(input, partitions: 3)
        try admin.createTopic(output, partitions: 3)
        let feeder = try SentenceFeeder(bootstrap: broker.bootstrap, topic: input, partitions: 3)
        var feeding = true
        defer { if feeding { _ = try? feeder.stop() } }

        let job = try ExampleProcess(
            "word-count",
            ["run", "--input", input, "--output", output, "--worker-id", "mx", "--metrics-port", "0"] + ExamplesTests.tansu(broker.bootstrap))
        var ended = false
        defer { if !ended { job.send(SIGKILL); _ = try? job.wait(timeout: .seconds(10)) } }
        let port = try metricsPort(of: job)

        // While input arrives: every scrape against what was sent by then.
        var scrapes: [(checkpoints: Double, recordsIn: [Double])] = []
        var lagSeen = Set<Int>()
        for _ in 0..<12 {
            Thread.sleep(forTimeInterval: 1)
            let scrape = try PrometheusScrape.get(port: port)
            let scrapedAt = Int64(Date().timeIntervalSince1970 * 1000)
            let sent = feeder.sentCounts
            XCTAssertEqual(scrape.status, 200)
            let samples = try scrape.samples
            let recordsIn = try (0..<3).map { partition in
                try inputSample(samples, MetricName.sourceRecordsIn, input: input, partition: partition) ?? 0
            }
            for partition in 0..<3 {
                XCTAssertLessThanOrEqual(recordsIn[partition], Double(sent[partition]), "records in of partition \(partition)")
                guard let lag = try inputSample(samples, MetricName.consumerLag, input: input, partition: partition) else { continue }
                lagSeen.insert(partition)
                let end = try XCTUnwrap(inputSample(samples, MetricName.highWatermark, input: input, partition: partition))
                let position = try XCTUnwrap(inputSample(samples, MetricName.position, input: input, partition: partition))
                XCTAssertEqual(lag, end - position, "lag of partition \(partition) is high watermark − position")
                XCTAssertGreaterThanOrEqual(lag, 0)
                XCTAssertLessThanOrEqual(end, Double(sent[partition]), "the high watermark of partition \(partition) is no more than was sent")
                XCTAssertLessThanOrEqual(position, recordsIn[partition], "the sampled position of partition \(partition) was read")
            }
            for sample in samples where sample.name == MetricName.watermarkLag && sample.labels["task"]?.hasPrefix("0.") == true {
                // Source tasks hold back 2 s for out-of-order records; their watermark trails now by at
                // least that, and by no more than the oldest record's age.
                XCTAssertGreaterThanOrEqual(sample.value, 2.0, "watermark lag of \(sample.labels)")
                XCTAssertLessThanOrEqual(sample.value, Double(scrapedAt - feeder.started) / 1000 + 1, "watermark lag of \(sample.labels)")
            }
            let checkpoints = try XCTUnwrap(workerSample(samples, MetricName.checkpoints))
            if let previous = scrapes.last {
                XCTAssertGreaterThanOrEqual(checkpoints, previous.checkpoints, "checkpoints never go back")
                for partition in 0..<3 { XCTAssertGreaterThanOrEqual(recordsIn[partition], previous.recordsIn[partition]) }
            }
            scrapes.append((checkpoints, recordsIn))
        }
        XCTAssertEqual(lagSeen, [0, 1, 2], "a lag per input partition")
        let first = try XCTUnwrap(scrapes.first), last = try XCTUnwrap(scrapes.last)
        XCTAssertGreaterThan(last.checkpoints, first.checkpoints, "checkpoints committed while the test watched")
        XCTAssertGreaterThan(last.recordsIn.reduce(0, +), first.recordsIn.reduce(0, +), "records in moved")

        // Input stops: the job reads every record, and each partition's lag falls to zero at the
        // high watermark the test wrote.
        let written = try feeder.stop()
        feeding = false
        print("[\(name)] wrote \(written) records per partition; \(scrapes.map(\.checkpoints)) checkpoints at the scrapes")
        var final: [PrometheusScrape.Sample] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            final = try PrometheusScrape.get(port: port).samples
            let caughtUp = try (0..<3).allSatisfy { partition in
                try inputSample(final, MetricName.sourceRecordsIn, input: input, partition: partition) == Double(written[partition])
                    && inputSample(final, MetricName.consumerLag, input: input, partition: partition) == 0
                    && inputSample(final, MetricName.highWatermark, input: input, partition: partition) == Double(written[partition])
            }
            let checkpoints = workerSample(final, MetricName.checkpoints)
            if caughtUp, checkpoints == workerSample(final, MetricName.checkpointDuration + "_count"),
               checkpoints == workerSample(final, MetricName.commitLatency + "_count") {
                break
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        for partition in 0..<3 {
            XCTAssertEqual(try inputSample(final, MetricName.sourceRecordsIn, input: input, partition: partition), Double(written[partition]),
                           "every record of partition \(partition) read once")
            XCTAssertEqual(try inputSample(final, MetricName.highWatermark, input: input, partition: partition), Double(written[partition]))
            XCTAssertEqual(try inputSample(final, MetricName.position, input: input, partition: partition), Double(written[partition]))
            XCTAssertEqual(try inputSample(final, MetricName.consumerLag, input: input, partition: partition), 0)
        }
        let checkpoints = try XCTUnwrap(workerSample(final, MetricName.checkpoints))
        XCTAssertEqual(workerSample(final, MetricName.checkpointDuration + "_count"), checkpoints, "a duration per checkpoint")
        XCTAssertEqual(workerSample(final, MetricName.commitLatency + "_count"), checkpoints, "a commit latency per checkpoint")
        XCTAssertEqual(workerSample(final, MetricName.checkpointsAborted), 0)
        XCTAssertEqual(workerSample(final, MetricName.restarts), 0)
        XCTAssertGreaterThan(try XCTUnwrap(workerSample(final, MetricName.checkpointBytes)), 0)
        XCTAssertGreaterThanOrEqual(
            try XCTUnwrap(final.first { $0.name == MetricName.rebalancePause + "_count" && $0.labels["change"] == "assigned" }?.value), 1,
            "the worker's assignment was timed")
        let windowState = final.filter { $0.name == MetricName.stateBytes && $0.labels["task"]?.hasPrefix("1.") == true }
        // A window task whose partition got none of the three words holds nothing; the open
        // window (event time stops with the input) holds the counts of the others.
        XCTAssertFalse(windowState.isEmpty, "the window tasks' state size is known after their checkpoints")
        for sample in windowState { XCTAssertGreaterThanOrEqual(sample.value, 0, "state of \(sample.labels)") }
        XCTAssertGreaterThan(windowState.map(\.value).max() ?? 0, 0, "the open window's counts are state")

        job.send(SIGTERM)
        let run = try job.wait(timeout: .seconds(60))
        ended = true
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.outputLines.first, "word-count: metrics at http://127.0.0.1:\(port)/metrics")
        XCTAssertTrue(run.outputLines.last?.hasPrefix("word-count: stopped: ") == true, run.stdout)
    }

    /// Waits for the job's `metrics at` line and returns its port.
    private func metricsPort(of job: ExampleProcess) throws -> Int {
        let prefix = "word-count: metrics at http://127.0.0.1:"
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let line = job.stdoutSoFar.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
               let port = Int(line.dropFirst(prefix.count).prefix { $0.isNumber }) {
                return port
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw JobTestError("word-count printed no metrics address: \(job.stdoutSoFar)")
    }

    /// The value of `name` for the input topic's `partition`; `nil` when absent, and a failure
    /// when there are several.
    private func inputSample(_ samples: [PrometheusScrape.Sample], _ name: String, input: String, partition: Int) throws -> Double? {
        let matching = samples.filter {
            $0.name == name && $0.labels["topic"] == input && $0.labels["partition"] == String(partition)
                && $0.labels["job"] == "word-count" && $0.labels["worker"] == "mx-0"
        }
        guard matching.count <= 1 else { throw JobTestError("\(matching.count) samples of \(name) for \(input)[\(partition)]") }
        return matching.first?.value
    }

    /// The worker-wide value of `name`.
    private func workerSample(_ samples: [PrometheusScrape.Sample], _ name: String) -> Double? {
        samples.first { $0.name == name && $0.labels == ["job": "word-count", "worker": "mx-0"] }?.value
    }
}
