import Foundation
import XCTest

/// The `sluice` executable built next to this test bundle, run as a user runs it (through
/// ``ExampleProcess``, like the examples).
enum SluiceExecutable {
    /// What a run printed and how it ended.
    typealias Run = ExampleProcess.Outcome

    /// Runs `sluice` with `arguments` to its end; `environment` adds to this process's own.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try ExampleProcess.run("sluice", arguments, environment: environment, timeout: .seconds(300))
    }
}

extension XCTestCase {
    /// Runs `sluice` with `arguments` and checks it fails as operator commands do: exit status
    /// 2, nothing on standard output, and one line on standard error, `sluice: error: …`, naming
    /// every string of `naming`. Returns that line.
    @discardableResult
    func expectOperatorFailure(_ arguments: [String], naming: [String], line: UInt = #line) throws -> String {
        let run = try SluiceExecutable.run(arguments)
        print("[\(name)] sluice \(arguments.prefix(5).joined(separator: " ")) …: status \(run.status), \(run.stderr)", terminator: "")
        XCTAssertEqual(run.status, 2, line: line)
        XCTAssertEqual(run.stdout, "", line: line)
        XCTAssertTrue(run.stderr.hasPrefix("sluice: error: "), run.stderr, line: line)
        XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, "one line: \(run.stderr)", line: line)
        for text in naming {
            XCTAssertTrue(run.stderr.contains(text), "'\(text)' in: \(run.stderr)", line: line)
        }
        return run.stderr
    }
}
