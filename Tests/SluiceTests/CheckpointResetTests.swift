import Foundation
import SluiceTesting
import XCTest
@testable import Sluice

/// Reset records (`sluice offsets reset`): their codec, what a restore makes of one at its
/// pointer or in the partition, and a job over the in-memory broker that, after its offsets and
/// state were reset, produces results from the new offsets alone.
final class CheckpointResetTests: XCTestCase {
    private let task = TaskID(stage: 1, partition: 2)
    private let split = Split(topic: "job-1-checkpoints", partition: 2)

    func testCodecRoundTripsAndIsToldApartFromOtherRecords() throws {
        let reset = CheckpointReset(jobName: "job", task: task, createdAt: 1_767_225_600_123, reason: "sluice offsets reset --to earliest")
        let bytes = reset.encoded()
        XCTAssertEqual(Array(bytes.prefix(4)), [UInt8(ascii: "S"), UInt8(ascii: "C"), CheckpointManifest.formatVersion, 4])
        XCTAssertEqual(try CheckpointReset.decode(bytes), reset)
        XCTAssertEqual(CheckpointReset.decodeIfReset(bytes), reset)
        XCTAssertEqual(String(decoding: reset.key, as: UTF8.self), "1.2/reset")

        let manifest = manifest(sequence: 3)
        XCTAssertNil(CheckpointReset.decodeIfReset(manifest.encoded()))
        XCTAssertNil(CheckpointConfirmation.decodeIfConfirmation(bytes))
        XCTAssertThrowsError(try CheckpointManifest.decode(bytes)) { error in
            XCTAssertEqual(error as? CheckpointFormatError, .malformed("expected a manifest record, found kind 4"))
        }
        XCTAssertThrowsError(try CheckpointReset.decode(manifest.encoded())) { error in
            XCTAssertEqual(error as? CheckpointFormatError, .malformed("expected a reset record, found kind 2"))
        }
        XCTAssertThrowsError(try CheckpointReset.decode(bytes + [0])) { error in
            XCTAssertEqual(error as? CheckpointFormatError, .malformed("trailing bytes after a reset record"))
        }
        var newer = bytes
        newer[2] = CheckpointManifest.formatVersion + 1
        XCTAssertThrowsError(try CheckpointReset.decode(newer)) { error in
            XCTAssertEqual(error as? CheckpointFormatError, .unknownVersion(CheckpointManifest.formatVersion + 1))
        }
    }

    func testRestoreMeetingAResetStartsEmptyAndFindsCheckpointsAfterIt() throws {
        let broker = MemoryBroker()
        try broker.createTopic(split.topic, partitions: 3)
        let log = MemoryBrokerCheckpointLog(producer: broker.producer(transactionalID: "restore-reader"))
        let locator = CheckpointLocator(jobName: "job", log: log)
        XCTAssertEqual(JobTopics(job: "job").checkpointSplit(of: task), split, "the locator reads the partition written here")
        func append(_ value: [UInt8]) throws -> Int64 {
            try broker.append(split.topic, partition: split.partition, key: nil, value: value, timestamp: 0)
        }
        // The old history: checkpoints 6 and 7, each confirmed.
        let six = try append(manifest(sequence: 6).encoded())
        _ = try append(CheckpointConfirmation(task: task, sequence: 6, incarnation: 1, manifestOffset: six).encoded())
        let seven = try append(manifest(sequence: 7).encoded())
        _ = try append(CheckpointConfirmation(task: task, sequence: 7, incarnation: 1, manifestOffset: seven).encoded())
        XCTAssertEqual(try locator.locate(task, groupPointer: six + 1).checkpoint?.manifest.sequence, 7, "a confirmation proves 7")

        let resetRecord = CheckpointReset(jobName: "job", task: task, createdAt: 1, reason: "test")
        let reset = try append(resetRecord.encoded())
        XCTAssertEqual(
            try locator.locate(task, groupPointer: reset + 1), .reset(resetRecord, pointer: reset + 1), "a pointer at a reset: empty state")
        XCTAssertEqual(
            try locator.locate(task, groupPointer: nil), .none,
            "without a pointer, the confirmations before the newest reset are not followed")
        XCTAssertEqual(
            try locator.locate(task, groupPointer: seven + 1).checkpoint?.manifest.sequence, 7,
            "a reset whose pointer was never committed leaves the committed checkpoint in place")

        // The new history after the reset starts again at sequence 1.
        let one = try append(manifest(sequence: 1).encoded())
        XCTAssertEqual(
            try locator.locate(task, groupPointer: reset + 1), .reset(resetRecord, pointer: reset + 1), "checkpoint 1 is not confirmed yet")
        _ = try append(CheckpointConfirmation(task: task, sequence: 1, incarnation: 2, manifestOffset: one).encoded())
        let found = try XCTUnwrap(try locator.locate(task, groupPointer: reset + 1).checkpoint)
        XCTAssertEqual(found.manifest.sequence, 1)
        XCTAssertEqual(found.pointer, one + 1)
        XCTAssertFalse(found.namedByGroup)
        XCTAssertEqual(try locator.locate(task, groupPointer: nil).checkpoint?.manifest.sequence, 1)
        XCTAssertEqual(try locator.locate(task, groupPointer: one + 1).checkpoint?.manifest.sequence, 1)

        // A reset record of another task at the pointer is an error naming it, at its offset.
        let other = try append(CheckpointReset(jobName: "job", task: TaskID(stage: 0, partition: 2), createdAt: 1, reason: "test").encoded())
        XCTAssertThrowsError(try locator.locate(task, groupPointer: other + 1)) { error in
            guard case .unreadable(let job, let failed, let place, let offset, let via, let reason)? = error as? CheckpointError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(job, "job")
            XCTAssertEqual(failed, task)
            XCTAssertEqual(place, split)
            XCTAssertEqual(offset, other)
            XCTAssertEqual(via, .pointer(other + 1))
            XCTAssertEqual(reason, .otherTask(record: "reset record", job: "job", task: TaskID(stage: 0, partition: 2)))
            XCTAssertTrue(
                "\(error)".contains("offset \(other) of \(split), the manifest its committed pointer \(other + 1) names, holds the reset record of job job, task 0.2"),
                "\(error)")
        }
    }

    /// A keyed window job crashes with windows open in its checkpointed state; its input offsets
    /// are moved to 30 in every partition, its repartition topic to its end, and every task
    /// gets a reset record, as `sluice offsets reset` does. A new worker's results equal those
    /// computed from the records at and after offset 30 alone, every value: the old window
    /// contents (offsets 0 to 41, in the same window) never mix in.
    func testAJobAfterAResetComputesFromTheNewOffsetsWithEmptyState() throws {
        let broker = MemoryBroker()
        broker.crashAtCommit(12)
        let purchases = try Self.fill(broker, count: 2_000)
        try broker.createTopic("totals", partitions: 1)
        XCTAssertThrowsError(try ExactlyOnceEngineTests.runJob(on: broker)) { error in
            guard case JobError.connectorFailed(_, _ as MemoryBroker.InjectedCrash) = error else { return XCTFail("\(error)") }
        }
        let locator = CheckpointLocator(jobName: "eos", log: MemoryBrokerCheckpointLog(producer: broker.producer(transactionalID: "restore-reader")))
        let group = broker.group("eos")
        let partitions = ExactlyOnceEngineTests.partitions
        let tasks = (0..<2).flatMap { stage in (0..<partitions).map { TaskID(stage: stage, partition: $0) } }
        let splits = tasks.map(JobTopics(job: "eos").checkpointSplit(of:))
        let pointers = group.committedOffsets(for: splits)
        let stateBytes = try tasks.filter { $0.stage == 1 }.map { task in
            let split = JobTopics(job: "eos").checkpointSplit(of: task)
            return try locator.locate(task, groupPointer: pointers[split]).checkpoint?.manifest.chainBytes ?? 0
        }
        XCTAssertGreaterThan(stateBytes.reduce(0, +), 0, "the crashed job left window contents in its checkpoints")
        let input = (0..<partitions).map { Split(topic: "purchases", partition: Int32($0)) }
        let newOffset: Int64 = 30
        let read = group.committedOffsets(for: input)
        XCTAssertTrue(input.allSatisfy { (read[$0] ?? 0) > newOffset }, "the crashed job had read past offset \(newOffset): \(read)")
        let before = broker.committedValues("totals").count

        // The reset.
        var offsets: [Split: Int64] = [:]
        for split in input { offsets[split] = newOffset }
        for partition in 0..<partitions {
            let split = Split(topic: "eos-1-repartition", partition: Int32(partition))
            offsets[split] = broker.endOffset(split)
        }
        for (task, split) in zip(tasks, splits) {
            let reset = CheckpointReset(jobName: "eos", task: task, createdAt: 1, reason: "test")
            offsets[split] = try broker.append(
                split.topic, partition: split.partition, key: reset.key, value: reset.encoded(), timestamp: 0) + 1
        }
        let operatorProducer = broker.producer(transactionalID: "offsets-reset")
        try operatorProducer.begin()
        try operatorProducer.commit(offsets: offsets, group: "eos")

        _ = try ExactlyOnceEngineTests.runJob(on: broker)
        let lines = broker.committedValues("totals").dropFirst(before).map { String(decoding: $0, as: UTF8.self) }.sorted()
        let expected = Self.results(of: purchases.filter { $0.offset >= newOffset })
        XCTAssertEqual(lines.count, expected.count, "one result per window of the records after the reset")
        XCTAssertEqual(lines, expected, "results from the new offsets alone")
    }

    // MARK: Helpers

    private func manifest(sequence: UInt64) -> CheckpointManifest {
        CheckpointManifest(
            jobName: "job", task: task, sequence: sequence, incarnation: 1, createdAt: 0, writer: "w", isFull: true, chain: 1,
            chainStartSequence: sequence, pieceOffsets: [], chainBytes: 0, fullSnapshotBytes: 0, checkpointBytes: 0,
            checkpointEntries: 0, input: Split(topic: "job-1-repartition", partition: 2), inputPosition: 0, scalars: [])
    }

    private struct Written {
        var offset: Int64
        var timestamp: Int64
        var purchase: ExactlyOnceEngineTests.Purchase
    }

    /// `count` purchases of 20 users, 10 ms apart per partition, written to `purchases`.
    private static func fill(_ broker: MemoryBroker, count: Int) throws -> [Written] {
        let partitions = ExactlyOnceEngineTests.partitions
        try broker.createTopic("purchases", partitions: partitions)
        var random = SplitMix(state: 42)
        return try (0..<count).map { index in
            let purchase = ExactlyOnceEngineTests.Purchase(
                user: "u\(Int.random(in: 0..<20, using: &random))", amount: Int.random(in: 1...100, using: &random))
            let timestamp = Int64(index / partitions) * 10
            let offset = try broker.append(
                "purchases", partition: Int32(index % partitions), key: nil, value: Array(try JSONEncoder().encode(purchase)),
                timestamp: timestamp)
            return Written(offset: offset, timestamp: timestamp, purchase: purchase)
        }
    }

    /// The job's window results over `records`, computed without the engine.
    private static func results(of records: [Written]) -> [String] {
        let window = ExactlyOnceEngineTests.windowMillis
        var totals: [String: ExactlyOnceEngineTests.Totals] = [:]
        for record in records {
            let key = "\(record.purchase.user)\t\(record.timestamp - record.timestamp % window)"
            totals[key, default: .init()].count += 1
            totals[key, default: .init()].sum += record.purchase.amount
        }
        return totals.map { "\($0.key)\t\($0.value.count)\t\($0.value.sum)" }.sorted()
    }
}
