import Foundation

/// The `readme-job` executable (built next to this test bundle) run as a user runs it, with a
/// deadline: standard output and error go to files, so a chatty run never blocks on a pipe.
struct ReadmeJobProcess {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Standard output's lines, empty ones left out.
    var outputLines: [String] { stdout.split(separator: "\n").map(String.init) }

    /// Runs `readme-job arguments`; a run still going after `deadline` is terminated and
    /// reported as status -1.
    static func run(_ arguments: [String], deadline: Duration = .seconds(120)) throws -> ReadmeJobProcess {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("readme-job")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw ReadmeTestError("\(executable.path) is missing: build with `swift build --build-tests`")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("readme-job-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        for file in [out, err] where !FileManager.default.createFile(atPath: file.path, contents: nil) {
            throw ReadmeTestError("cannot create \(file.path)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let end = ContinuousClock.now + deadline
        while process.isRunning, ContinuousClock.now < end { Thread.sleep(forTimeInterval: 0.05) }
        var status = Int32(-1)
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        } else {
            status = process.terminationStatus
        }
        return ReadmeJobProcess(
            status: status, stdout: try String(contentsOf: out, encoding: .utf8), stderr: try String(contentsOf: err, encoding: .utf8))
    }
}

/// A test set-up that went wrong, in one line.
struct ReadmeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
