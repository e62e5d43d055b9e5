import Foundation
import Logging
import Sluice
import Synchronization
import XCTest
@testable import SluiceJob

/// The lines a job command writes, captured in order.
final class CapturedLines: Sendable {
    private let captured = Mutex<[String]>([])

    var all: [String] { captured.withLock { $0 } }

    func append(_ line: String) {
        captured.withLock { $0.append(line) }
    }
}

/// `--log-format json`: one JSON object per line with the fixed fields and every metadata key as
/// a field, escaped so any message stays on its line.
final class JSONLogHandlerTests: XCTestCase {
    private func capturing(_ label: String, level: Logger.Level = .trace) -> (Logger, CapturedLines) {
        let lines = CapturedLines()
        let logger = Logger(label: label) { label in
            JSONLogHandler(label: label, level: level, metadataProvider: nil, write: lines.append)
        }
        return (logger, lines)
    }

    private func object(_ line: String, file: StaticString = #filePath, line number: UInt = #line) throws -> [String: Any] {
        XCTAssertTrue(line.hasSuffix("}\n"), line, file: file, line: number)
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, "one line: \(line)", file: file, line: number)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line, file: file, line: number)
    }

    func testALineHasTheFixedFieldsThenEveryMetadataKeyInOrder() {
        let line = JSONLogHandler.line(
            timestamp: "2026-12-07T16:20:00.125Z", level: .notice, label: "sluice.status", message: "word-count w-0: 12.3k rec/s in",
            metadata: [
                "worker": "w-0", "checkpoints": .stringConvertible(57), "rate": .stringConvertible(12_345.5),
                "ratio": .stringConvertible(Float(0.25)), "lag": .stringConvertible(Int64(-3)), "tracked": .stringConvertible(true),
                "endless": .stringConvertible(Double.infinity), "duration": .stringConvertible(Duration.seconds(2)),
                "task": .dictionary(["stage": .stringConvertible(1), "partition": "0"]),
                "splits": .array(["in[0]", .stringConvertible(7), .array([])]),
            ])
        XCTAssertEqual(line, #"""
            {"timestamp":"2026-12-07T16:20:00.125Z","level":"notice","label":"sluice.status","message":"word-count w-0: 12.3k rec/s in","checkpoints":57,"duration":"2.0 seconds","endless":"inf","lag":-3,"rate":12345.5,"ratio":0.25,"splits":["in[0]",7,[]],"task":{"partition":"0","stage":1},"tracked":true,"worker":"w-0"}

            """#)
    }

    func testQuotesBackslashesAndControlCharactersAreEscapedAndTextStaysUTF8() throws {
        let message = "say \"hi\"\\ now\nnext\tline\r\u{08}\u{0C}\u{01}\u{1F} ✓ é 😀 /"
        let line = JSONLogHandler.line(
            timestamp: "t", level: .warning, label: "a\"b", message: message, metadata: ["key \"q\"\n": "value\\\u{00}"])
        XCTAssertEqual(line, #"""
            {"timestamp":"t","level":"warning","label":"a\"b","message":"say \"hi\"\\ now\nnext\tline\r\b\f\u0001\u001f ✓ é 😀 /","key \"q\"\n":"value\\\u0000"}

            """#)
        let parsed = try object(line)
        XCTAssertEqual(parsed["message"] as? String, message, "a JSON reader gets the message back")
        XCTAssertEqual(parsed["label"] as? String, "a\"b")
        XCTAssertEqual(parsed["key \"q\"\n"] as? String, "value\\\u{00}")
    }

    func testAMetadataKeyNamedLikeAFixedFieldIsKeptApart() throws {
        let parsed = try object(JSONLogHandler.line(
            timestamp: "t", level: .error, label: "l", message: "the message", metadata: ["message": "from metadata", "level": "x"]))
        XCTAssertEqual(parsed["message"] as? String, "the message")
        XCTAssertEqual(parsed["metadata.message"] as? String, "from metadata")
        XCTAssertEqual(parsed["level"] as? String, "error")
        XCTAssertEqual(parsed["metadata.level"] as? String, "x")
    }

    /// Through a real `Logger`: each call one write of one object, the logger's own metadata, the
    /// call's (which wins) and an error as fields, multi-line messages kept on their line.
    func testEachLogCallWritesOneObjectOnOneLine() throws {
        struct Broken: Error, CustomStringConvertible {
            var description: String { "broker gone" }
        }
        var (logger, lines) = capturing("sluice.job")
        logger[metadataKey: "job"] = "word-count"
        logger[metadataKey: "worker"] = "w-0"
        logger.warning("first\nsecond line")
        logger.notice("status", metadata: ["worker": "w-1", "checkpoints": .stringConvertible(3)])
        logger.log(level: .error, "failed", error: Broken())
        XCTAssertEqual(lines.all.count, 3, "\(lines.all)")

        let first = try object(lines.all[0])
        XCTAssertEqual(Set(first.keys), ["timestamp", "level", "label", "message", "job", "worker"])
        XCTAssertEqual(first["message"] as? String, "first\nsecond line")
        XCTAssertEqual(first["level"] as? String, "warning")
        XCTAssertEqual(first["label"] as? String, "sluice.job")
        XCTAssertEqual(first["job"] as? String, "word-count")
        let timestamp = try XCTUnwrap(first["timestamp"] as? String)
        XCTAssertNotNil(ISO8601Time.milliseconds(timestamp), timestamp)
        XCTAssertTrue(timestamp.hasSuffix("Z"), "UTC: \(timestamp)")

        let second = try object(lines.all[1])
        XCTAssertEqual(second["worker"] as? String, "w-1", "the call's metadata over the logger's")
        XCTAssertEqual(second["checkpoints"] as? Int, 3)

        let third = try object(lines.all[2])
        XCTAssertEqual(third["error.message"] as? String, "broker gone")
        XCTAssertEqual(third["error.type"] as? String, String(reflecting: Broken.self))
    }

    /// A status line as the worker logs it (``StatusLine/loggerLabel``, `notice`, its text and
    /// its metadata) comes out with each of its fields.
    func testAStatusLineBecomesItsFields() throws {
        let status = StatusLine(job: "word-count", worker: "w-0", recordsInPerSecond: 12_345.67, recordsOutPerSecond: 12_100,
                                lag: 1_204, checkpointWord: "checkpoint", checkpoints: 57, lastCheckpointAge: .milliseconds(420))
        let (logger, lines) = capturing(StatusLine.loggerLabel)
        logger.notice("\(status.text)", metadata: status.metadata)
        let parsed = try object(try XCTUnwrap(lines.all.first))
        XCTAssertEqual(parsed["label"] as? String, "sluice.status")
        XCTAssertEqual(parsed["level"] as? String, "notice")
        XCTAssertEqual(parsed["message"] as? String, "word-count w-0: 12.3k rec/s in, 12.1k rec/s out, lag 1,204, checkpoint #57 0.4 s ago")
        XCTAssertEqual(parsed["job"] as? String, "word-count")
        XCTAssertEqual(parsed["worker"] as? String, "w-0")
        XCTAssertEqual(parsed["records_in_per_second"] as? Double, 12_345.7)
        XCTAssertEqual(parsed["records_out_per_second"] as? Double, 12_100)
        XCTAssertEqual(parsed["lag"] as? Int, 1_204)
        XCTAssertEqual(parsed["checkpoints"] as? Int, 57)
        XCTAssertEqual(parsed["last_checkpoint_age_seconds"] as? Double, 0.4)
    }
}

/// Which lines the job command writes at which `--log-level`: by default the workers' status
/// lines (`notice`, ``StatusLine/loggerLabel``) and everything more severe, not the engine's
/// `info` lines; a higher level hides the status lines too.
final class JobLogLevelTests: XCTestCase {
    struct Sample: StreamJob {
        static let name = "sample"
        func build(_ job: JobContext) throws {}
    }

    private func options(_ arguments: [String], _ environment: [String: String] = [:]) throws -> RunOptions {
        let command = try JobCommand<Sample>.parseAsRoot(
            EnvironmentDefaults.arguments(for: Sample.self, commandLine: ["run", "--bootstrap", "b:1"] + arguments, environment: environment))
        return try XCTUnwrap(command as? RunCommand<Sample>).options
    }

    /// Logs one line at every level with each label through the handlers the options install;
    /// returns the `label level` of each line written.
    private func written(_ options: RunOptions) throws -> [String] {
        XCTAssertEqual(options.logFormat, .json, "the test reads JSON lines")
        let lines = CapturedLines()
        for label in [StatusLine.loggerLabel, "sluice.job"] {
            let logger = Logger(label: label) { label in
                LoggingSetup.handler(label: label, level: options.logLevel.level, format: options.logFormat, writeJSON: lines.append)
            }
            for level in Logger.Level.allCases { logger.log(level: level, "a line at \(level)") }
        }
        return try lines.all.map { line in
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return "\(object["label"] as? String ?? "?") \(object["level"] as? String ?? "?")"
        }
    }

    func testTheDefaultLevelShowsStatusLinesAndNotInfo() throws {
        let defaults = try options([])
        XCTAssertEqual(defaults.logLevel.level, .notice)
        XCTAssertEqual(defaults.logFormat, .text)
        let written = try written(try options(["--log-format", "json"]))
        XCTAssertEqual(written, [
            "sluice.status notice", "sluice.status warning", "sluice.status error", "sluice.status critical",
            "sluice.job notice", "sluice.job warning", "sluice.job error", "sluice.job critical",
        ])
    }

    func testAHigherLevelHidesStatusLinesAndALowerOneShowsInfo() throws {
        XCTAssertEqual(try written(try options(["--log-format=json", "--log-level", "warning"])), [
            "sluice.status warning", "sluice.status error", "sluice.status critical",
            "sluice.job warning", "sluice.job error", "sluice.job critical",
        ])
        XCTAssertEqual(try written(try options([], ["SLUICE_LOG_FORMAT": "json", "SLUICE_LOG_LEVEL": "info"])).filter { $0.hasSuffix(" info") },
                       ["sluice.status info", "sluice.job info"])
    }

    func testTextLinesFilterAtTheSameLevel() throws {
        let handler = LoggingSetup.handler(label: "sluice.job", level: .notice, format: .text) { _ in
            XCTFail("text lines go to standard error, not to the JSON writer")
        }
        XCTAssertTrue(handler is StreamLogHandler, "\(type(of: handler))")
        XCTAssertEqual(handler.logLevel, .notice)
    }

    func testAnUnknownFormatIsAUsageError() {
        XCTAssertThrowsError(try options(["--log-format", "xml"])) { error in
            XCTAssertEqual(JobCommand<Sample>.exitCode(for: error), .validationFailure)
            XCTAssertTrue(JobCommand<Sample>.message(for: error).contains("xml"), JobCommand<Sample>.message(for: error))
        }
    }
}

/// A job that fails ends with one line on standard error: `<job>: error: …` as text, or under
/// `--log-format json` a JSON log line of its own, so a log shipper gets it too.
final class JobFailureLineTests: XCTestCase {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "topic \"in\" is missing\n  (checked at start)" }
    }

    func testTheFailureLineInEachFormat() throws {
        XCTAssertEqual(JobFailure.line(Failure(), job: "word-count", format: .text),
                       "word-count: error: topic \"in\" is missing (checked at start)\n")
        let json = JobFailure.line(Failure(), job: "word-count", format: .json)
        XCTAssertEqual(json.filter { $0 == "\n" }.count, 1, json)
        XCTAssertTrue(json.hasSuffix("}\n"), json)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["level"] as? String, "critical")
        XCTAssertEqual(object["label"] as? String, "sluice.job")
        XCTAssertEqual(object["job"] as? String, "word-count")
        XCTAssertEqual(object["message"] as? String, "word-count: error: topic \"in\" is missing (checked at start)")
    }
}
