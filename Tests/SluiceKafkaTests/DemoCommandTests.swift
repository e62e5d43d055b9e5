import Foundation
import XCTest

/// `sluice demo`, README command 1, run as a user runs it: on Tansu (the default), it must end
/// with its summary, status 0, every expected total read exactly once as read_committed, a
/// rebalance that moved partitions and a recovery that restored tasks after the SIGKILL.
final class DemoCommandTests: XCTestCase {
    func testTheDemoEndsWithItsSummaryAndEveryTotalExactlyOnce() throws {
        let started = Date()
        let run = try SluiceExecutable.run(["demo"])
        let seconds = Date().timeIntervalSince(started)
        print("[\(name)] sluice demo: status \(run.status) in \(String(format: "%.1f", seconds)) s\n\(run.stdout)\(run.stderr)")
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        func field(_ label: String) -> String? {
            lines.first { $0.hasPrefix("  \(label)") }.map { String($0.dropFirst(2 + label.count)).trimmingCharacters(in: .whitespaces) }
        }
        let expected = try XCTUnwrap(field("totals expected").flatMap { Int($0.prefix { $0.isNumber }) })
        let read = try XCTUnwrap(field("totals out").flatMap { Int($0.prefix { $0.isNumber }) })
        XCTAssertGreaterThan(expected, 1_000, "the demo wrote orders for many windows")
        XCTAssertEqual(read, expected, "as many totals read as read_committed as expected")
        XCTAssertEqual(field("exactly once")?.hasPrefix("yes: each of the \(expected) expected totals appears once"), true)
        XCTAssertTrue(lines.contains { $0.contains("w2 joined at") && $0.contains("moved from w1") }, "the join moved partitions")
        let recovery = try XCTUnwrap(field("recovery"))
        XCTAssertGreaterThan(Int(recovery.prefix { $0.isNumber }) ?? 0, 0, "tasks restored after the kill: \(recovery)")
        XCTAssertFalse(run.stdout.contains("Fatal error") || run.stderr.contains("Fatal error"))
        XCTAssertFalse(run.stderr.contains("brokers are down"), "no stray librdkafka lines when the broker goes away: \(run.stderr)")
    }
}
