import Foundation
import Logging
import RdKafka
@testable import Sluice
@testable import SluiceKafka
import XCTest

/// A restore's reads through the Kafka checkpoint log, on librdkafka's in-process mock cluster:
/// with the broker down they fail as `cannot reach Kafka at <address> while reading
/// <topic>[<partition>] …`, a recoverable connector error, never as an unreadable checkpoint;
/// with it up, records that are wrong or missing are `CheckpointError.unreadable`, found at
/// once rather than after a timeout; and once the broker is back, the same restore succeeds.
final class CheckpointReadFailureTests: KafkaJobTestCase {
    func testAnUnreachableBrokerIsNotAnUnreadableCheckpoint() throws {
        let quiet = Logger(label: "read-failure") { _ in SwiftLogNoOpLogHandler() }
        let cluster = try MockCluster(brokers: 1, logger: quiet)
        announce("in-process mock cluster")
        let bootstrap = cluster.bootstrapServers
        let job = uniqueName("outage")
        let task = TaskID(stage: 0, partition: 0)
        let split = JobTopics(job: job).checkpointSplit(of: task)
        try cluster.createTopic(split.topic, partitions: 1)
        let manifest = CheckpointManifest(
            jobName: job, task: task, sequence: 1, incarnation: 1, createdAt: 0, writer: "hand", isFull: true, chain: 1,
            chainStartSequence: 1, pieceOffsets: [], chainBytes: 0, fullSnapshotBytes: 0, checkpointBytes: 0,
            checkpointEntries: 0, input: Split(topic: "in", partition: 0), inputPosition: 0, scalars: [])
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap), logger: quiet)
        for value in [manifest.encoded(), Array("junk".utf8)] {
            try producer.send(topic: split.topic, partition: split.partition, key: nil, value: value)
            try producer.flush()
        }

        let readTimeout = Duration.seconds(3)
        let log = try KafkaCheckpointLog(
            producer: try WorkerProducer(
                configuration: ProducerConfiguration(bootstrapServers: bootstrap),
                fencing: WorkerFencing(job: job, workerID: "reader", transactionalID: nil, groupInstanceID: nil), logger: quiet),
            topics: InternalTopicAdmin(admin: try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrap), logger: quiet)),
            bootstrapServers: bootstrap, properties: [:], readTimeout: readTimeout, logger: quiet)
        let locator = CheckpointLocator(jobName: job, log: log)
        XCTAssertEqual(
            try locator.locate(task, groupPointer: 1),
            CheckpointLocator.Finding.checkpoint(CheckpointLocator.Located(manifest: manifest, pointer: 1, namedByGroup: true)))

        // Read, and wrong or missing: the checkpoint is unreadable, and that is found at once.
        func expectUnreadable(pointer: Int64, offset: Int64, _ reason: CheckpointRecordDefect, line: UInt = #line) {
            let started = ContinuousClock.now
            XCTAssertThrowsError(try locator.locate(task, groupPointer: pointer), line: line) { error in
                guard case .unreadable(job, task, split, let found, .pointer(pointer), let defect)? = error as? CheckpointError else {
                    return XCTFail("\(error)", line: line)
                }
                XCTAssertEqual(found, offset, line: line)
                XCTAssertEqual(defect, reason, line: line)
            }
            XCTAssertLessThan(ContinuousClock.now - started, readTimeout, "no wait for records that are not there", line: line)
        }
        expectUnreadable(pointer: 2, offset: 1, .undecodable(.malformed("not a Sluice checkpoint record")))
        expectUnreadable(pointer: 10, offset: 9, .absent)

        // The broker down: every read is an outage that names the address and the partition.
        try cluster.setBrokerDown(1)
        func expectUnreachable(_ what: String, line: UInt = #line, _ body: () throws -> Void) {
            XCTAssertThrowsError(try body(), what, line: line) { error in
                let text = "\(error)"
                print("[\(name)] \(what): \(text)")
                guard case .unreachable(bootstrap, split, _, _)? = error as? PartitionReadError else {
                    return XCTFail("\(what): \(text)", line: line)
                }
                XCTAssertTrue(text.hasPrefix("cannot reach Kafka at \(bootstrap) while reading \(split)"), text, line: line)
                XCTAssertFalse(text.contains("\n"), "one line: \(text)", line: line)
                XCTAssertFalse(error is CheckpointError, "not a damaged checkpoint", line: line)
                XCTAssertEqual((error as? any ConnectorError)?.isFatal, false, "recoverable: the restart strategy retries it", line: line)
            }
        }
        expectUnreachable("finding the checkpoint") { _ = try locator.locate(task, groupPointer: 1) }
        expectUnreachable("reading a manifest after a rewind") { _ = try locator.manifest(of: task, pointer: 1) }
        var withPiece = manifest
        withPiece.pieceOffsets = [0]
        expectUnreachable("reading snapshot pieces") {
            _ = try TaskRestorer(jobName: job, log: log).restore(withPiece, into: [], split: split)
        }

        // The broker back: the same restore finds the same checkpoint.
        try cluster.setBrokerUp(1)
        var found: CheckpointLocator.Finding?
        let deadline = ContinuousClock.now + .seconds(30)
        while found == nil, ContinuousClock.now < deadline {
            do {
                found = try locator.locate(task, groupPointer: 1)
            } catch is PartitionReadError {
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        XCTAssertEqual(found, .checkpoint(.init(manifest: manifest, pointer: 1, namedByGroup: true)), "read again once the broker is up")
    }
}
