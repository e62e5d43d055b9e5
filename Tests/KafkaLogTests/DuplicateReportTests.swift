import KafkaLog
import XCTest

/// Duplicates among visible records by key and value, by key and by a JSON field.
final class DuplicateReportTests: XCTestCase {
    private func record(_ offset: Int64, _ key: String?, _ value: String?) -> LogRecord {
        LogRecord(offset: offset, key: key.map { Array($0.utf8) }, value: value.map { Array($0.utf8) })
    }

    private var records: [(partition: Int32, record: LogRecord)] {
        [
            (1, record(4, "a", #"{"id": 1, "n": "x"}"#)),
            (0, record(2, "a", #"{"id": 1, "n": "x"}"#)),
            (0, record(3, "a", #"{"id": 2}"#)),
            (1, record(5, "b", #"{"n": "no id"}"#)),
            (2, record(0, nil, "not json")),
            (2, record(1, nil, nil)),
            (2, record(2, nil, nil)),
            (2, record(3, "c", #"{"id": {"b": 1, "a": [1, "2"]}}"#)),
            (0, record(9, "d", #"{"id": {"a": [1, "2"], "b": 1}}"#)),
            (1, record(6, "e", "[1, 2]")),
        ]
    }

    private func at(_ list: [(Int32, Int64)]) -> [RecordPosition] { list.map { RecordPosition(partition: $0.0, offset: $0.1) } }

    func testByKeyAndValue() {
        let report = DuplicateReport(records: records, criterion: .keyAndValue)
        XCTAssertEqual(report.groups.map(\.copies), [at([(0, 2), (1, 4)]), at([(2, 1), (2, 2)])])
        XCTAssertEqual(report.groups.first?.key, Array("a".utf8))
        XCTAssertNil(report.groups.last?.key)
        XCTAssertNil(report.groups.last?.value)
        XCTAssertEqual(report.extraCopies, 2)
        XCTAssertEqual(report.incomparable, 0)
        XCTAssertNil(report.firstIncomparable)
    }

    func testByKeyLeavesNullKeysApart() {
        let report = DuplicateReport(records: records, criterion: .key)
        XCTAssertEqual(report.groups.map(\.copies), [at([(0, 2), (0, 3), (1, 4)])])
        XCTAssertEqual(report.extraCopies, 2)
        XCTAssertEqual(report.incomparable, 3)
        XCTAssertEqual(report.firstIncomparable, RecordPosition(partition: 2, offset: 0))
    }

    func testByFieldComparesJSONValuesAndCountsTheRest() {
        let report = DuplicateReport(records: records, criterion: .field("id"))
        XCTAssertEqual(report.groups.map(\.copies), [at([(0, 2), (1, 4)]), at([(0, 9), (2, 3)])])
        XCTAssertEqual(report.groups.map(\.fieldValue), ["1", #"{"a":[1,"2"],"b":1}"#])
        XCTAssertEqual(report.incomparable, 5, "no id, not JSON, two null values, an array")
        XCTAssertEqual(report.firstIncomparable, RecordPosition(partition: 1, offset: 5))
    }

    func testNoDuplicates() {
        let report = DuplicateReport(records: [(0, record(0, "a", "1")), (0, record(1, "a", "2"))], criterion: .keyAndValue)
        XCTAssertTrue(report.groups.isEmpty)
        XCTAssertEqual(report.extraCopies, 0)
    }
}
