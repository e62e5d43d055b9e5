import Foundation
import Synchronization
import XCTest

/// The `sluice` executable built next to this test bundle, run as a user runs it.
enum SluiceExecutable {
    /// What a run printed and how it ended.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `sluice` with `arguments` to its end; `environment` adds to this process's own.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sluice")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw JobTestError("\(executable.path) is missing: build with `swift build --build-tests`")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Standard error is drained on another thread, so neither pipe fills up while the
        // other one is read.
        let errors = err.fileHandleForReading
        let errorData = Mutex(Data())
        let drained = DispatchGroup()
        DispatchQueue.global().async(group: drained) {
            let data = errors.readDataToEndOfFile()
            errorData.withLock { $0 = data }
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errorData.withLock { $0 }, as: UTF8.self))
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
