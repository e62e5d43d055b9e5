import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import Synchronization
import XCTest

/// Exactly-once under injected broker faults, on librdkafka 2.16's mock cluster, whose share
/// consumer reads the output read_committed: one worker that never restarts meets errors on
/// Produce, AddPartitionsToTxn, TxnOffsetCommit and EndTxn and a broker going down and up, and
/// still writes every window result exactly once with the right values.
///
/// The mock does not keep offsets committed inside transactions, so this worker recovers from
/// each abort with the checkpoint pointers it committed itself; a restarted process could not
/// find them there (the crash test runs on Tansu for that).
final class ExactlyOnceFaultTests: KafkaJobTestCase {
    static let recordCount = 20_000

    func testSingleWorkerSurvivesInjectedFaultsExactlyOnce() throws {
        let broker = try TestBroker.start(.mock216, brokers: 1)
        defer { broker.stop() }
        announce("librdkafka 2.16 mock cluster at \(broker.bootstrap)")
        let input = uniqueName("purchases"), output = uniqueName("totals"), job = uniqueName("fault-job")
        try broker.createTopic(input, partitions: Int(PurchaseJob.partitions))
        try broker.createTopic(output, partitions: 2)
        let spec = WorkerSpec(bootstrap: broker.bootstrap, input: input, output: output, job: job, workerID: "w0")
        let events = Mutex<[String: Int]>([:])
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(300)
        configuration.restartStrategy = .fixedDelay(delay: .milliseconds(200), maxAttempts: 30)
        configuration.checkpointObserver = { event in
            let name = switch event {
            case .committed: "committed"
            case .aborted: "aborted"
            case .restarting: "restarting"
            case .restored: "restored"
            case .stateReset: "stateReset"
            case .piecesStaged, .manifestsWritten: "other"
            }
            events.withLock { $0[name, default: 0] += 1 }
        }
        let env = try PurchaseJob.build(spec: spec, configuration: configuration)
        // The mock has no CreateTopics: the job's internal topics are made here.
        let plan = try env.plan()
        for topic in plan.checkpointTopics { try broker.createTopic(topic.name, partitions: topic.partitionCount) }
        for topic in plan.repartitionTopics { try broker.createTopic(topic, partitions: Int(PurchaseJob.partitions)) }
        let running = start(try env.build())

        let lostInput = Mutex(0)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap)) { report in
            if report.error != nil { lostInput.withLock { $0 += 1 } }
        }
        let faults: [(name: String, commands: [String])] = [
            ("Produce MSG_SIZE_TOO_LARGE (abortable)", ["request-errors 0 10"]),
            ("AddPartitionsToTxn TOPIC_AUTHORIZATION_FAILED (abortable)", ["request-errors 24 29"]),
            ("TxnOffsetCommit COORDINATOR_NOT_AVAILABLE ×3 (retriable)", ["request-errors 28 15 15 15"]),
            ("EndTxn COORDINATOR_NOT_AVAILABLE ×3 (retriable)", ["request-errors 26 15 15 15"]),
            ("Produce NOT_ENOUGH_REPLICAS ×2 (retried by librdkafka)", ["request-errors 0 19 19"]),
            ("broker 1 down for 2 s, then up", ["broker-down 1", "sleep 2", "broker-up 1"]),
        ]
        let chunk = Self.recordCount / (faults.count + 1)
        func committed() -> Int { events.withLock { $0["committed"] ?? 0 } }
        func produce(_ range: Range<Int>) throws {
            try PurchaseJob.produce(range, to: input, with: producer)
        }
        try produce(0..<chunk)
        var deadline = Date().addingTimeInterval(60)
        while committed() < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        for (index, fault) in faults.enumerated() {
            // Give the job work, then inject, so the fault meets a transaction in progress (and
            // not this test's own producer); then wait until the job committed twice more.
            let before = committed()
            try produce((index + 1) * chunk..<(index + 2) * chunk)
            for command in fault.commands {
                if command.hasPrefix("sleep ") {
                    Thread.sleep(forTimeInterval: Double(command.dropFirst(6))!)
                } else {
                    try broker.command(command)
                }
            }
            deadline = Date().addingTimeInterval(60)
            while committed() < before + 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            print("[\(name)] injected \(fault.name); checkpoints so far \(committed()), events \(events.withLock { $0 })")
        }
        try produce((faults.count + 1) * chunk..<Self.recordCount)
        try PurchaseJob.produceEndMarkers(to: input, with: producer)

        XCTAssertEqual(lostInput.withLock { $0 }, 0, "every input record was delivered")
        let expected = PurchaseJob.expectedResults(count: Self.recordCount)
        let seen = try Verifier.committedRecords(
            broker: .mock216, bootstrap: broker.bootstrap, topic: output, expect: expected.count, timeout: 120)
        let metrics = try running.stop()
        let lines = seen.compactMap(\.valueString).filter { !$0.hasPrefix(PurchaseJob.endMarker) }.sorted()
        let counts = events.withLock { $0 }
        print("[\(name)] \(metrics.recordsRead) records read, \(metrics.commits) checkpoints, \(metrics.restarts) restarts in one run; events \(counts); \(lines.count) results")
        XCTAssertGreaterThan(counts["aborted"] ?? 0, 0, "the abortable faults aborted transactions")
        XCTAssertEqual(lines.count, expected.count, "as many results as windows")
        XCTAssertTrue(lines == expected, "every window result exactly once with the right values: \(ResultDiff(lines: lines, expected: expected, keyFields: 2))")
    }
}
