import Foundation
import RdKafka

/// Seconds `body` took.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return (ContinuousClock.now - start).seconds
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Runs a shell command (kcat), optionally reading a file as its stdin; throws when it fails.
func shell(_ command: String, stdin: String? = nil) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    if let stdin { process.standardInput = FileHandle(forReadingAtPath: stdin) }
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw KafkaError(code: -1, name: "BENCH", message: "command failed (\(process.terminationStatus)): \(command)")
    }
}
