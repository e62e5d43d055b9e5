import XCTest
@testable import Sluice

/// ``CheckpointRecord``: every kind a checkpoint partition holds decodes through one call, and
/// a record it cannot read says why.
final class CheckpointRecordTests: XCTestCase {
    private let task = TaskID(stage: 1, partition: 3)

    func testEveryKindDecodesToItself() throws {
        let manifest = CheckpointManifest(
            jobName: "job", task: task, sequence: 4, incarnation: 9, createdAt: 1, writer: "w", isFull: true, chain: 2,
            chainStartSequence: 4, pieceOffsets: [10, 11], chainBytes: 5, fullSnapshotBytes: 5, checkpointBytes: 5,
            checkpointEntries: 1, input: Split(topic: "in", partition: 3), inputPosition: 40, scalars: [])
        let confirmation = CheckpointConfirmation(task: task, sequence: 4, incarnation: 9, manifestOffset: 12)
        let reset = CheckpointReset(jobName: "job", task: task, createdAt: 2, reason: "test")
        var pieces = SnapshotPieceWriter()
        pieces.add(KeyedStateEntry(state: "s", key: [1], payload: [2]), of: "1:op")
        let piece = try XCTUnwrap(pieces.finish().first)

        XCTAssertEqual(try CheckpointRecord.decode(manifest.encoded()), .manifest(manifest))
        XCTAssertEqual(try CheckpointRecord.decode(confirmation.encoded()), .confirmation(confirmation))
        XCTAssertEqual(try CheckpointRecord.decode(reset.encoded()), .reset(reset))
        XCTAssertEqual(try CheckpointRecord.decode(piece), .piece)
        XCTAssertEqual(try CheckpointConfirmation.decode(confirmation.encoded()), confirmation)
        XCTAssertEqual(
            [CheckpointRecord.manifest(manifest), .confirmation(confirmation), .reset(reset), .piece].map(\.kindName),
            ["manifest", "confirmation", "reset record", "snapshot piece"])
    }

    func testWhatIsNotARecordOfThisBuildSaysWhy() {
        func expect(_ bytes: [UInt8], _ expected: CheckpointFormatError, line: UInt = #line) {
            XCTAssertThrowsError(try CheckpointRecord.decode(bytes), line: line) { error in
                XCTAssertEqual(error as? CheckpointFormatError, expected, line: line)
            }
        }
        let confirmation = CheckpointConfirmation(task: task, sequence: 4, incarnation: 9, manifestOffset: 12).encoded()
        expect(Array("not a checkpoint".utf8), .malformed("not a Sluice checkpoint record"))
        expect([], .malformed("not a Sluice checkpoint record"))
        var newer = confirmation
        newer[2] = CheckpointManifest.formatVersion + 1
        expect(newer, .unknownVersion(CheckpointManifest.formatVersion + 1))
        var unknownKind = confirmation
        unknownKind[3] = 9
        expect(unknownKind, .malformed("unknown record kind 9"))
        expect(confirmation + [0], .malformed("trailing bytes after a confirmation"))
        XCTAssertThrowsError(try CheckpointRecord.decode(Array(confirmation.dropLast()))) { error in
            guard case .malformed(let reason)? = error as? CheckpointFormatError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "truncated data: needed 8 bytes, had 7")
        }
    }
}
