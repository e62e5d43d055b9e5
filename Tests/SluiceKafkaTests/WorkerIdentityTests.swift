import BrokerRig
import Foundation
import RdKafka
import RigTestSupport
import XCTest

/// Worker ids and group membership as a user meets them: the word-count example run through
/// its job command on Tansu, input written here and output read as a read_committed consumer
/// would (``Verifier``), the group's hand-overs seen from the workers' metrics endpoints.
///
/// - Two processes started with one `--worker-id`: the newer one fences the older, which ends
///   with one line naming the worker id and `--worker-id`; neither crashes, and the output holds
///   every window result once with the right count.
/// - A static member (the default) killed and restarted with its id is back at work before its
///   session would have expired; a dynamic one waits for it.
/// - SIGTERM leaves the group, so another worker takes the partitions at once; SIGUSR1 stops for
///   a restart and keeps them for the session timeout.
///
/// What Tansu 0.6 cannot show (see the README): it refuses no duplicate static member (the
/// newer one gets the older one's member id, and both are assigned the same partitions; the
/// producer's fencing is what stops the older one), a static member's join takes about half its
/// session timeout plus 3 s, and a static member that rejoins a group of several members, or
/// gives partitions away in a cooperative rebalance, is not followed by the other members. Hence
/// the restart is proven for a lone worker, and the worker that stays in the two-worker test is
/// dynamic.
final class WorkerIdentityTests: KafkaJobTestCase {
    /// Event times start on a window boundary (10 s windows).
    static let base: Int64 = 1_700_000_000_000
    static let words = ["apple", "birch", "cedar", "dune", "ember", "fjord", "grove"]

    /// Input sentence `i`: three words, event time `i` × 100 ms, partition `i` mod 3.
    static func sentence(_ i: Int) -> (partition: Int32, text: String, timestamp: Int64) {
        let text = [words[i % 7], words[(i * 3 + 1) % 7], words[(i / 7) % 7]].joined(separator: " ")
        return (Int32(i % 3), text, base + Int64(i) * 100)
    }

    /// Writes sentences `range` to `topic`, each in a batch of its own.
    @Sendable static func writeSentences(_ range: Range<Int>, topic: String, producer: KafkaProducer) throws {
        for i in range {
            let (partition, text, timestamp) = sentence(i)
            try producer.send(topic: topic, partition: partition, key: nil, value: Array(text.utf8), timestamp: timestamp)
        }
        try producer.flush()
    }

    /// Writes to every partition a sentence a minute of event time after sentence `count`: the
    /// watermark of every partition then passes every window of sentences `0..<count`.
    static func writeEndMarkers(after count: Int, topic: String, bootstrap: String) throws {
        let producer = try ExamplesTests.producer(bootstrap)
        for partition in Int32(0)..<3 {
            try producer.send(topic: topic, partition: partition, key: nil, value: Array("end".utf8),
                              timestamp: base + Int64(count) * 100 + 60_000)
        }
        try producer.flush()
    }

    /// What word-count writes for sentences `0..<count`: `word<TAB>window start<TAB>count`.
    static func expectedCounts(of count: Int) -> [String] {
        var counts: [String: Int] = [:]
        for i in 0..<count {
            let (_, text, timestamp) = sentence(i)
            for word in text.split(separator: " ") { counts["\(word)\t\(timestamp - timestamp % 10_000)", default: 0] += 1 }
        }
        return counts.map { "\($0.key)\t\($0.value)" }
    }

    /// Topics of 3 partitions for sentences and counts.
    private func topics(_ admin: KafkaAdmin) throws -> (input: String, output: String) {
        let input = uniqueName("sentences"), output = uniqueName("counts")
        try admin.createTopic(input, partitions: 3)
        try admin.createTopic(output, partitions: 3)
        return (input, output)
    }

    // MARK: Duplicate worker ids

    func testTwoProcessesWithOneWorkerIDEndInOneLineAndExactOutput() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let (input, output) = try topics(admin)
        let feeder = try ContinuousFeeder(bootstrap: broker.bootstrap, topic: input, recordsPerSecond: 20, produce: Self.writeSentences)
        defer { _ = try? feeder.stop() }
        let arguments = ["run", "--input", input, "--output", output, "--worker-id", "dup"] + ExamplesTests.tansu(broker.bootstrap)

        let older = try ExampleProcess("word-count", arguments)
        let early = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: 1, timeout: 90)
        XCTAssertFalse(early.isEmpty, "the first process committed window results before the second started")
        let newer = try ExampleProcess("word-count", arguments)

        // The newer process initializes the transactional id word-count-dup-0, which fences the
        // older one's producer: its next write fails, and it stops.
        let fenced = try older.wait(timeout: .seconds(120))
        print("[\(name)] the older process ended after \(fenced.duration) with status \(fenced.status):\n\(fenced.stdout)\(fenced.stderr)")
        XCTAssertTrue(fenced.exited, "ended by a signal")
        XCTAssertEqual(fenced.status, 1)
        let errors = fenced.errorLines.filter { $0.hasPrefix("word-count: error: ") }
        XCTAssertEqual(errors.count, 1, fenced.stderr)
        XCTAssertEqual(fenced.errorLines.last, errors.first, "the error is the last line")
        // How librdkafka words the fence depends on the broker: Tansu's PRODUCER_FENCED, or
        // the _FENCED librdkafka raises for it and for INVALID_PRODUCER_EPOCH.
        let cause = errors.first.flatMap(Self.cause) ?? "none"
        XCTAssertTrue(["PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH", "_FENCED"].contains(cause), fenced.stderr)
        XCTAssertEqual(errors.first, "word-count: error: worker dup-0 of word-count was fenced: another process runs with worker id dup-0 and took over its transactional id word-count-dup-0 (\(cause)); this one stops. Give each process of the job its own worker id (--worker-id)")
        for crash in ["Fatal error", "Program crashed", "Backtrace", "backtrace"] {
            XCTAssertFalse(fenced.stderr.contains(crash), fenced.stderr)
        }

        // The newer one goes on alone and writes every window of everything written.
        let written = try feeder.stop()
        try Self.writeEndMarkers(after: written, topic: input, bootstrap: broker.bootstrap)
        let expected = Self.expectedCounts(of: written)
        _ = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: expected.count, timeout: 120)
        newer.send(SIGTERM)
        let stopped = try newer.wait(timeout: .seconds(60))
        print("[\(name)] the newer process ended after \(stopped.duration):\n\(stopped.stdout)\(stopped.stderr)")
        XCTAssertTrue(stopped.exited)
        XCTAssertEqual(stopped.status, 0, stopped.stderr)
        XCTAssertTrue(stopped.outputLines.last?.hasPrefix("word-count: stopped: ") == true, stopped.stdout)

        // Read once both ended: nothing is left open, nothing more can come.
        let records = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: expected.count)
        let lines = records.compactMap(\.valueString)
        XCTAssertEqual(lines.count, expected.count, "one result per word and window, none twice")
        XCTAssertEqual(lines.sorted(), expected.sorted(), ResultDiff(lines: lines, expected: expected, keyFields: 2).description)
    }

    /// The librdkafka error name in a fenced worker's line: `… (PRODUCER_FENCED); …`.
    private static func cause(_ line: String) -> String? {
        guard let open = line.range(of: "word-count-dup-0 ("), let close = line[open.upperBound...].firstIndex(of: ")") else {
            return nil
        }
        return String(line[open.upperBound..<close])
    }

    // MARK: Restarts

    /// Runs word-count on Tansu with `membership` and a 30 s session, kills it with SIGKILL once
    /// it committed a checkpoint, starts it again at once with the same `--worker-id`, and
    /// returns how long the new process took to its first committed checkpoint.
    private func restartAfterKill(membership: String) throws -> Duration {
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let (input, output) = try topics(admin)
        let feeder = try ContinuousFeeder(bootstrap: broker.bootstrap, topic: input, recordsPerSecond: 20, produce: Self.writeSentences)
        defer { _ = try? feeder.stop() }
        let arguments = [
            "run", "--bootstrap", broker.bootstrap, "--input", input, "--output", output, "--worker-id", "restarted",
            "--checkpoint-interval", "500ms", "--consumer-membership", membership, "--consumer-session-timeout", "30s",
            "--consumer-max-poll-interval", "30s", "--consumer-heartbeat-interval", "500ms", "--metrics-port", "0",
        ]
        let first = try ExampleProcess("word-count", arguments)
        _ = try JobMetricsWatch(first).waitForCheckpoint(timeout: .seconds(120))
        first.send(SIGKILL)
        _ = try first.wait(timeout: .seconds(10))

        let restarted = ContinuousClock.now
        let second = try ExampleProcess("word-count", arguments)
        _ = try JobMetricsWatch(second).waitForCheckpoint(timeout: .seconds(120))
        let took = ContinuousClock.now - restarted
        second.send(SIGTERM)
        let stopped = try second.wait(timeout: .seconds(60))
        print("[\(name)] \(membership) member: first committed checkpoint \(took) after the restart")
        XCTAssertEqual(stopped.status, 0, stopped.stderr)
        return took
    }

    func testAStaticWorkerRestartedWithItsIDWorksBeforeItsOldSessionExpires() throws {
        guard try runsOnLibrdkafka216() else { return }
        let took = try restartAfterKill(membership: "static")
        // On a Kafka broker the coordinator gives the member its old assignment at once; Tansu
        // answers a static member's join after about half its session timeout plus 3 s.
        XCTAssertLessThan(took, .seconds(30), "the static member did not wait for its old session (30 s)")
    }

    /// The same restart as a dynamic member: the group waits for the killed incarnation's
    /// session before it moves the partitions to the new one.
    func testADynamicWorkerRestartedWithItsIDWaitsForItsOldSession() throws {
        guard try runsOnLibrdkafka216() else { return }
        let took = try restartAfterKill(membership: "dynamic")
        XCTAssertGreaterThanOrEqual(took, .seconds(29), "the old session (30 s) expired first")
    }

    // MARK: Leave or keep the place

    func testSigtermHandsThePartitionsOverAtOnceAndSigusr1KeepsThemForTheSession() throws {
        guard try runsOnLibrdkafka216() else { return }
        let session = Duration.seconds(20)
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let (input, output) = try topics(admin)
        let feeder = try ContinuousFeeder(bootstrap: broker.bootstrap, topic: input, recordsPerSecond: 30, produce: Self.writeSentences)
        defer { _ = try? feeder.stop() }
        func arguments(_ id: String, _ membership: String) -> [String] {
            ["run", "--bootstrap", broker.bootstrap, "--input", input, "--output", output, "--worker-id", id,
             "--checkpoint-interval", "500ms", "--consumer-membership", membership, "--consumer-session-timeout", "20s",
             "--consumer-max-poll-interval", "20s", "--consumer-heartbeat-interval", "500ms", "--metrics-port", "0"]
        }
        let all: Set<Int32> = [0, 1, 2]
        // The worker that stays is dynamic (see the type's notes on Tansu).
        let stays = try ExampleProcess("word-count", arguments("stays", "dynamic"))
        defer { stays.send(SIGKILL) }  // only on failure: it is stopped below
        let staying = try JobMetricsWatch(stays)
        try staying.waitUntilReading(timeout: .seconds(90)) { $0 == all }

        /// Starts the static worker and waits until it reads some input partitions and the
        /// other worker reads the rest.
        func startStatic() throws -> (ExampleProcess, Set<Int32>) {
            let process = try ExampleProcess("word-count", arguments("moves", "static"))
            let watch = try JobMetricsWatch(process)
            var owned: Set<Int32> = []
            try watch.waitUntilReading(timeout: .seconds(120)) { reading in
                owned = reading
                return !reading.isEmpty
            }
            try staying.waitUntilReading(timeout: .seconds(60)) { $0 == all.subtracting(owned) }
            return (process, owned)
        }

        // SIGTERM: a final checkpoint, LeaveGroup, and the other worker takes over at once.
        let (leaving, leavingOwned) = try startStatic()
        leaving.send(SIGTERM)
        let left = try leaving.wait(timeout: .seconds(60))
        let leftAt = ContinuousClock.now
        XCTAssertEqual(left.status, 0, left.stderr)
        XCTAssertTrue(left.stdout.contains("word-count: stopping after the current round (final checkpoint, leaving the group)"), left.stdout)
        try staying.waitUntilReading(timeout: session) { $0 == all }
        let handedOver = ContinuousClock.now - leftAt

        // SIGUSR1: a final checkpoint, no LeaveGroup: its partitions wait for it a whole session.
        let (keeping, keepingOwned) = try startStatic()
        keeping.send(SIGUSR1)
        let kept = try keeping.wait(timeout: .seconds(60))
        let keptAt = ContinuousClock.now
        XCTAssertEqual(kept.status, 0, kept.stderr)
        XCTAssertTrue(kept.stdout.contains(
            "word-count: stopping for a restart after the current round (final checkpoint, keeping the partitions for 20.0 seconds for a restart with the same --worker-id)"),
            kept.stdout)
        XCTAssertTrue(kept.outputLines.last?.hasPrefix("word-count: stopped: ") == true, kept.stdout)
        XCTAssertFalse(kept.stdout.contains("leaving the group"), kept.stdout)
        var earliest: Duration?
        try staying.waitUntilReading(timeout: session + .seconds(40)) { reading in
            if earliest == nil, !reading.intersection(keepingOwned).isEmpty { earliest = ContinuousClock.now - keptAt }
            return reading == all
        }
        let waited = ContinuousClock.now - keptAt
        print("[\(name)] SIGTERM: partitions \(leavingOwned.sorted()) read by the other worker \(handedOver) after the exit; SIGUSR1: partitions \(keepingOwned.sorted()) first read by it \(earliest.map { "\($0)" } ?? "?") after, all \(waited) after")
        // Tansu takes some 10 s for the rebalance itself (its rounds, the restore) either way.
        let keptFor = try XCTUnwrap(earliest)
        XCTAssertLessThan(handedOver, session, "a leave does not wait for the session")
        XCTAssertGreaterThanOrEqual(keptFor, session - .seconds(1), "nobody read the kept partitions during the session")
        stays.send(SIGTERM)
        let stayed = try stays.wait(timeout: .seconds(60))
        XCTAssertEqual(stayed.status, 0, stayed.stderr)
    }
}

/// A job process's metrics endpoint (`--metrics-port 0`), read as a person watching it would.
private struct JobMetricsWatch {
    let process: ExampleProcess
    let port: Int

    /// Waits for the job's `metrics at` line.
    init(_ process: ExampleProcess, timeout: Duration = .seconds(30)) throws {
        self.process = process
        let deadline = ContinuousClock.now + timeout
        while true {
            let line = process.stdoutSoFar.split(separator: "\n").first { $0.contains(": metrics at http://") }
            if let line, let port = line.split(separator: ":").last.flatMap({ Int($0.prefix { $0.isNumber }) }) {
                self.port = port
                return
            }
            guard ContinuousClock.now < deadline else {
                throw JobTestError("\(process.name) printed no metrics address within \(timeout): \(process.stdoutSoFar)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    private func samples() -> [PrometheusScrape.Sample] {
        (try? PrometheusScrape.get(port: port).samples) ?? []
    }

    /// Waits until the job committed a checkpoint.
    func waitForCheckpoint(timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        while !samples().contains(where: { $0.name == "sluice_checkpoints_total" && $0.value > 0 }) {
            guard ContinuousClock.now < deadline else { throw JobTestError("\(process.name) committed no checkpoint within \(timeout)") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Input partitions of `input` the job read records from over the last second (their
    /// `sluice_source_records_in_total` grew), repartition topics left out.
    private func reading() -> Set<Int32> {
        func counts() -> [Int32: Double] {
            var out: [Int32: Double] = [:]
            for sample in samples() where sample.name == "sluice_source_records_in_total" {
                guard let topic = sample.labels["topic"], !topic.hasSuffix("-repartition"),
                      let partition = sample.labels["partition"].flatMap(Int32.init) else { continue }
                out[partition] = sample.value
            }
            return out
        }
        let before = counts()
        Thread.sleep(forTimeInterval: 1)
        return Set(counts().filter { $0.value > before[$0.key] ?? 0 }.keys)
    }

    /// Samples the partitions the job reads until `done` accepts them.
    func waitUntilReading(timeout: Duration, _ done: (Set<Int32>) -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        var last: Set<Int32> = []
        while true {
            last = reading()
            if done(last) { return }
            guard ContinuousClock.now < deadline else {
                throw JobTestError("\(process.name) on port \(port): still reading partitions \(last.sorted()) after \(timeout)")
            }
        }
    }
}
