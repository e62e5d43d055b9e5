import Foundation
import XCTest

/// The built `sluice` executable without a subcommand: it prints its help and exits 0, and
/// runs nothing (the demo is `sluice demo`).
final class SluiceCommandTests: XCTestCase {
    func testBareSluicePrintsItsHelp() throws {
        let run = try SluiceExecutable.run([])
        print("[\(name)] sluice: status \(run.status)\n\(run.stdout)\(run.stderr)")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        XCTAssertTrue(run.stdout.hasPrefix("OVERVIEW: Sluice: Kafka-native stream processing in Swift."), run.stdout)
        XCTAssertTrue(run.stdout.contains("USAGE: sluice <subcommand>"), run.stdout)
        // The subcommands section: from its heading to the next empty line, a name at two spaces.
        let section = run.stdout.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first?.components(separatedBy: "\n\n").first ?? ""
        let listed = section.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        XCTAssertEqual(listed, ["demo", "plan", "audit", "checkpoints", "offsets", "version"], "the subcommands, demo-worker hidden")
        XCTAssertFalse(run.stdout.contains("Tansu"), "no demo ran: \(run.stdout)")
    }
}
