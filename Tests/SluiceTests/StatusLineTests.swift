@testable import Sluice
import XCTest

/// The worker's one-line status: its text, and the rates and checkpoint age the reporter
/// computes from counts at known instants.
final class StatusLineTests: XCTestCase {
    func testTextNamesRatesLagAndCheckpoint() {
        let line = StatusLine(job: "word-count", worker: "w-0", recordsInPerSecond: 12_345, recordsOutPerSecond: 12_100,
                              lag: 1_204, checkpointWord: "checkpoint", checkpoints: 57, lastCheckpointAge: .milliseconds(400))
        XCTAssertEqual(line.text, "word-count w-0: 12.3k rec/s in, 12.1k rec/s out, lag 1,204, checkpoint #57 0.4 s ago")
    }

    func testTextWithoutLagOrCheckpoint() {
        let line = StatusLine(job: "j", worker: "a", recordsInPerSecond: 0, recordsOutPerSecond: 3.25,
                              lag: nil, checkpointWord: "commit", checkpoints: 0, lastCheckpointAge: nil)
        XCTAssertEqual(line.text, "j a: 0.0 rec/s in, 3.3 rec/s out, no commit yet")
    }

    func testNumberFormats() {
        XCTAssertEqual(StatusLine.rate(850), "850")
        XCTAssertEqual(StatusLine.rate(999.4), "999")
        XCTAssertEqual(StatusLine.rate(1_000), "1.0k")
        XCTAssertEqual(StatusLine.rate(250_400), "250k")
        XCTAssertEqual(StatusLine.rate(1_250_000), "1.3M")
        XCTAssertEqual(StatusLine.grouped(0), "0")
        XCTAssertEqual(StatusLine.grouped(999), "999")
        XCTAssertEqual(StatusLine.grouped(1_000), "1,000")
        XCTAssertEqual(StatusLine.grouped(12_345_678), "12,345,678")
        XCTAssertEqual(StatusLine.seconds(.seconds(12)), "12.0")
        XCTAssertEqual(StatusLine.seconds(.milliseconds(1_450)), "1.5")
    }

    func testReporterComputesRatesSinceTheLastLineAndTheCheckpointAge() throws {
        let start = ContinuousClock.now
        var reporter = StatusReporter(interval: .seconds(10), exactlyOnce: true, now: start)
        reporter.note(checkpoints: 0, now: start + .seconds(1))
        XCTAssertNil(reporter.line(job: "j", worker: "w", read: 500, written: 400, lag: nil, now: start + .seconds(9)),
                     "no line before the interval")
        reporter.note(checkpoints: 3, now: start + .seconds(7))
        let first = try XCTUnwrap(reporter.line(job: "j", worker: "w", read: 1_000, written: 800, lag: 5, now: start + .seconds(10)))
        XCTAssertEqual(first.recordsInPerSecond, 1_000.0 / 10)
        XCTAssertEqual(first.recordsOutPerSecond, 800.0 / 10)
        XCTAssertEqual(first.checkpoints, 3)
        XCTAssertEqual(first.lastCheckpointAge, .seconds(3))
        XCTAssertEqual(first.lag, 5)
        XCTAssertEqual(first.checkpointWord, "checkpoint")
        // The next line counts from the first one: 2,000 more records read over 20 s.
        reporter.note(checkpoints: 3, now: start + .seconds(25))
        let second = try XCTUnwrap(reporter.line(job: "j", worker: "w", read: 3_000, written: 800, lag: nil, now: start + .seconds(30)))
        XCTAssertEqual(second.recordsInPerSecond, 2_000.0 / 20)
        XCTAssertEqual(second.recordsOutPerSecond, 0)
        XCTAssertEqual(second.lastCheckpointAge, .seconds(23), "the checkpoint count did not change: its age grows")
    }

    /// The fields as log metadata, numbers as numbers; lag and checkpoint age only when known.
    func testMetadataHoldsTheFieldsTheLineKnows() {
        func fields(_ line: StatusLine) -> [String: String] {
            line.metadata.mapValues { "\($0)" }
        }
        let full = StatusLine(job: "word-count", worker: "w-0", recordsInPerSecond: 12_345.67, recordsOutPerSecond: 12_100,
                              lag: 1_204, checkpointWord: "checkpoint", checkpoints: 57, lastCheckpointAge: .milliseconds(450))
        XCTAssertEqual(fields(full), [
            "job": "word-count", "worker": "w-0", "records_in_per_second": "12345.7", "records_out_per_second": "12100.0",
            "lag": "1204", "checkpoints": "57", "last_checkpoint_age_seconds": "0.5",
        ])
        if case .stringConvertible(let rate) = full.metadata["records_in_per_second"] {
            XCTAssertEqual(rate as? Double, 12_345.7, "a number, not text")
        } else {
            XCTFail("\(String(describing: full.metadata["records_in_per_second"]))")
        }
        let bare = StatusLine(job: "j", worker: "a", recordsInPerSecond: -1, recordsOutPerSecond: 3.25,
                              lag: nil, checkpointWord: "commit", checkpoints: 0, lastCheckpointAge: nil)
        XCTAssertEqual(fields(bare), [
            "job": "j", "worker": "a", "records_in_per_second": "0.0", "records_out_per_second": "3.3", "checkpoints": "0",
        ])
    }
}
