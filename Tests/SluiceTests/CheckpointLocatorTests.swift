import SluiceTesting
import XCTest
@testable import Sluice

/// ``CheckpointLocator``: what each kind of bad record a pointer or confirmation leads to is
/// reported as, and that a read that fails is reported as the reader's own error, never as a
/// damaged checkpoint.
final class CheckpointLocatorTests: XCTestCase {
    private let task = TaskID(stage: 0, partition: 1)
    private let split = Split(topic: "job-0-checkpoints", partition: 1)

    func testEachDefectIsNamedAtItsOffset() throws {
        let broker = MemoryBroker()
        try broker.createTopic(split.topic, partitions: 2)
        let locator = CheckpointLocator(jobName: "job", log: MemoryBrokerCheckpointLog(producer: broker.producer(transactionalID: "reader")))
        func append(_ value: [UInt8]?) throws -> Int64 {
            try broker.append(split.topic, partition: split.partition, key: nil, value: value, timestamp: 0)
        }
        var pieces = SnapshotPieceWriter()
        pieces.add(KeyedStateEntry(state: "s", key: [1], payload: [2]), of: "1:op")
        let piece = try append(try XCTUnwrap(pieces.finish().first))
        let tombstone = try append(nil)
        let junk = try append(Array("junk".utf8))
        let otherJob = try append(manifest(job: "other", sequence: 2).encoded())
        let three = try append(manifest(sequence: 3).encoded())
        let confirmsFour = try append(CheckpointConfirmation(task: task, sequence: 4, incarnation: 1, manifestOffset: three).encoded())
        let end = confirmsFour + 1

        func expect(
            pointer: Int64?, offset: Int64, via: CheckpointRecordRole? = nil, _ reason: CheckpointRecordDefect, line: UInt = #line
        ) {
            XCTAssertThrowsError(try locator.locate(task, groupPointer: pointer), line: line) { error in
                guard case .unreadable("job", task, split, let found, let role, let defect)? = error as? CheckpointError else {
                    return XCTFail("\(error)", line: line)
                }
                XCTAssertEqual(found, offset, line: line)
                XCTAssertEqual(role, via ?? .pointer(offset + 1), line: line)
                XCTAssertEqual(defect, reason, line: line)
            }
        }
        expect(pointer: piece + 1, offset: piece, .wrongKind(expected: "manifest", found: "snapshot piece"))
        expect(pointer: tombstone + 1, offset: tombstone, .tombstone)
        expect(pointer: junk + 1, offset: junk, .undecodable(.malformed("not a Sluice checkpoint record")))
        expect(pointer: otherJob + 1, offset: otherJob, .otherTask(record: "manifest", job: "other", task: task))
        expect(pointer: end + 5, offset: end + 4, .absent)
        expect(pointer: 0, offset: -1, .absent)
        // The confirmation names checkpoint 4 at the manifest of checkpoint 3.
        expect(pointer: three + 1, offset: three, via: .confirmation(sequence: 4), .otherCheckpoint(confirmed: 4, found: 3))
        expect(pointer: nil, offset: three, via: .confirmation(sequence: 4), .otherCheckpoint(confirmed: 4, found: 3))
        XCTAssertThrowsError(try locator.manifest(of: task, pointer: confirmsFour + 1)) { error in
            guard case .unreadable(_, _, _, confirmsFour, .pointer(confirmsFour + 1), .wrongKind("manifest", "confirmation"))? =
                    error as? CheckpointError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(
                "\(error)".contains("offset \(confirmsFour) of \(split), the manifest its committed pointer \(confirmsFour + 1) names, holds a confirmation"),
                "\(error)")
        }
    }

    func testARestoreNamesAPieceThatIsMissingAndItsCheckpoint() throws {
        let broker = MemoryBroker()
        try broker.createTopic(split.topic, partitions: 2)
        let log = MemoryBrokerCheckpointLog(producer: broker.producer(transactionalID: "reader"))
        let tombstone = try broker.append(split.topic, partition: split.partition, key: nil, value: nil, timestamp: 0)
        var manifest = manifest(sequence: 6)
        for (pieces, reason) in [([tombstone], CheckpointRecordDefect.tombstone), ([tombstone + 1], .absent)] {
            manifest.pieceOffsets = pieces
            XCTAssertThrowsError(try TaskRestorer(jobName: "job", log: log).restore(manifest, into: [], split: split)) { error in
                guard case .unreadable("job", task, split, pieces[0], .piece(sequence: 6), reason)? = error as? CheckpointError else {
                    return XCTFail("\(error)")
                }
                XCTAssertTrue("\(error)".contains("offset \(pieces[0]) of \(split), a snapshot piece of checkpoint 6, "), "\(error)")
            }
        }
    }

    func testAReadThatFailsIsTheReadersErrorNotADefect() {
        let reader = FailingReader()
        let locator = CheckpointLocator(jobName: "job", reader: reader)
        for pointer in [nil, Int64(5)] {
            XCTAssertThrowsError(try locator.locate(task, groupPointer: pointer)) { error in
                XCTAssertEqual(error as? FailingReader.Outage, FailingReader.Outage(split: split), "\(error)")
            }
        }
        XCTAssertThrowsError(try locator.manifest(of: task, pointer: 5)) { error in
            XCTAssertTrue(error is FailingReader.Outage, "\(error)")
        }
    }

    // MARK: Helpers

    private func manifest(job: String = "job", sequence: UInt64) -> CheckpointManifest {
        CheckpointManifest(
            jobName: job, task: task, sequence: sequence, incarnation: 1, createdAt: 0, writer: "w", isFull: true, chain: 1,
            chainStartSequence: sequence, pieceOffsets: [], chainBytes: 0, fullSnapshotBytes: 0, checkpointBytes: 0,
            checkpointEntries: 0, input: Split(topic: "in", partition: 1), inputPosition: 0, scalars: [])
    }

    /// A reader whose every read fails, as one whose brokers cannot be reached.
    private struct FailingReader: CheckpointRecordReader {
        struct Outage: Error, Equatable {
            var split: Split
        }

        func read(_ split: Split, from: Int64, through: Int64) throws -> [CheckpointLogRecord] {
            throw Outage(split: split)
        }

        func readToEnd(_ split: Split, from: Int64) throws -> [CheckpointLogRecord] {
            throw Outage(split: split)
        }
    }
}
