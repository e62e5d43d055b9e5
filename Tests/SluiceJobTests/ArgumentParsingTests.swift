import Foundation
import XCTest
@testable import SluiceJob

/// The job command's own argument types: durations, start and end positions, property files.
final class ArgumentParsingTests: XCTestCase {
    func testDurations() {
        let cases: [(String, Duration)] = [
            ("500ms", .milliseconds(500)), ("2s", .seconds(2)), ("1.5s", .milliseconds(1_500)), ("1m", .seconds(60)), ("1h", .seconds(3_600)),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(DurationArgument(argument: text)?.duration, expected, text)
        }
        for text in ["2", "ms", "-1s", "0s", "0.1ms", "2 parsecs", "s2", "2x"] {
            XCTAssertNil(DurationArgument(argument: text), text)
        }
    }

    func testStartPositions() {
        XCTAssertEqual(StartPosition(argument: "committed"), .committed)
        XCTAssertEqual(StartPosition(argument: "earliest"), .earliest)
        XCTAssertEqual(StartPosition(argument: "latest"), .latest)
        // 1_700_000_000 s after the epoch is 2023-11-14 22:13:20 UTC.
        XCTAssertEqual(
            StartPosition(argument: "2023-11-14T22:13:20Z"),
            .time(millisecondsSinceEpoch: 1_700_000_000_000, text: "2023-11-14T22:13:20Z"))
        XCTAssertEqual(
            StartPosition(argument: "2023-11-14T23:13:20.250+01:00"),
            .time(millisecondsSinceEpoch: 1_700_000_000_250, text: "2023-11-14T23:13:20.250+01:00"))
        XCTAssertEqual(
            StartPosition(argument: "orders:0:5,orders.eu:12:7"),
            .offsets([.init(topic: "orders", partition: 0, offset: 5), .init(topic: "orders.eu", partition: 12, offset: 7)]))
        for text in ["orders:x:1", "orders:1", "orders:-1:0", "orders:0:-3", ":0:1", "orders:0:1,", "yesterday", "2023-11-14"] {
            XCTAssertNil(StartPosition(argument: text), text)
        }
    }

    func testEndPositions() {
        XCTAssertEqual(EndPosition(argument: "end"), .end)
        XCTAssertEqual(
            EndPosition(argument: "2023-11-14T22:13:20Z"), .time(millisecondsSinceEpoch: 1_700_000_000_000, text: "2023-11-14T22:13:20Z"))
        XCTAssertNil(EndPosition(argument: "tomorrow"))
        XCTAssertEqual(SourceEnding.ending(nil), .never)
        XCTAssertEqual(SourceEnding.ending(.end), .latestAtStart)
        XCTAssertEqual(
            SourceEnding.ending(.time(millisecondsSinceEpoch: 1_700_000_000_000, text: "2023-11-14T22:13:20Z")),
            .timestamp(millisecondsSinceEpoch: 1_700_000_000_000))
    }

    func testPropertiesFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-\(UUID().uuidString).properties")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
            # SASL over TLS
            security.protocol = SASL_SSL

              sasl.mechanism=PLAIN
            sasl.jaas.config=a=b=c
            """.write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(
            try KafkaProperties.read(file: file.path),
            ["security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.jaas.config": "a=b=c"])

        try "a=1\nno equals sign\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try KafkaProperties.read(file: file.path)) { error in
            XCTAssertTrue("\(error)".contains("--properties-file \(file.path) line 2"), "\(error)")
        }
        XCTAssertThrowsError(try KafkaProperties.read(file: "/no/such/file")) { error in
            XCTAssertTrue("\(error)".contains("/no/such/file"), "\(error)")
        }
    }

    func testOptionNames() {
        XCTAssertEqual(EnvironmentDefaults.kebabCase("input"), "input")
        XCTAssertEqual(EnvironmentDefaults.kebabCase("maxDelay"), "max-delay")
        XCTAssertEqual(EnvironmentDefaults.kebabCase("inputURL"), "input-url")
        XCTAssertEqual(EnvironmentDefaults.kebabCase("urlPath2"), "url-path2")
        XCTAssertEqual(EnvironmentDefaults.kebabCase("URLPath"), "url-path")
    }
}
