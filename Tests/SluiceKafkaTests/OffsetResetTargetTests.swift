import SluiceKafka
import XCTest

/// `--to` as ``OffsetResetTarget`` reads it, and the one-line errors for what it cannot read.
final class OffsetResetTargetTests: XCTestCase {
    func testEveryKindParsesAndPrintsBack() throws {
        XCTAssertEqual(try OffsetResetTarget(parsing: "earliest"), .earliest)
        XCTAssertEqual(try OffsetResetTarget(parsing: "latest"), .latest)
        // 2026-01-01T00:00:00Z is 1,767,225,600 s after the epoch.
        XCTAssertEqual(try OffsetResetTarget(parsing: "2026-01-01T00:00:00Z"), .timestamp(millisecondsSinceEpoch: 1_767_225_600_000))
        XCTAssertEqual(try OffsetResetTarget(parsing: "2026-01-01T00:00:03.250Z"), .timestamp(millisecondsSinceEpoch: 1_767_225_603_250))
        XCTAssertEqual(try OffsetResetTarget(parsing: "2026-01-01T01:00:00+01:00"), .timestamp(millisecondsSinceEpoch: 1_767_225_600_000))
        XCTAssertEqual(
            try OffsetResetTarget(parsing: "orders:0:17,orders:3:0,clicks.v2:1:9000000000"),
            .offsets(["orders": [0: 17, 3: 0], "clicks.v2": [1: 9_000_000_000]]))
        for text in ["earliest", "latest", "2026-01-01T00:00:03.250Z", "clicks.v2:1:9000000000,orders:0:17,orders:3:0"] {
            XCTAssertEqual(try OffsetResetTarget(parsing: text).description, text)
        }
    }

    func testWhatCannotBeReadIsNamed() {
        func expect(_ text: String, _ reason: String, line: UInt = #line) {
            XCTAssertThrowsError(try OffsetResetTarget(parsing: text), line: line) { error in
                XCTAssertEqual(error as? JobOffsetsError, .invalidTarget(text, reason: reason), line: line)
                XCTAssertFalse("\(error)".contains("\n"), line: line)
            }
        }
        let expected = "expected earliest, latest, an ISO-8601 time (2026-01-01T12:00:00Z) or topic:partition:offset[,…]"
        expect("", expected)
        expect("nonsense", "'nonsense': \(expected)")
        expect("orders:0", "'orders:0': \(expected)")
        expect(":0:1", "':0:1': \(expected)")
        expect("orders:x:1", "'orders:x:1': partition 'x' is not a partition number")
        expect("orders:-1:1", "'orders:-1:1': partition '-1' is not a partition number")
        expect("orders:0:-5", "'orders:0:-5': offset '-5' is not an offset")
        expect("orders:0:1,orders:0:2", "orders partition 0 is named twice")
        expect("orders:0:1,", "'': \(expected)")
        let time = "not an ISO-8601 time with a zone, e.g. 2026-01-01T12:00:00Z or 2026-01-01T12:00:00.250+01:00"
        expect("2026-13-45T99:00:00Z", time)
        expect("2026-01-01T00:00:00", time)
    }
}
