import Foundation

/// A broker the demo runs: `scripts/brokers.py`, which prints `BOOTSTRAP=host:port` when the
/// broker is up and stops it when its standard input closes (or this process dies).
final class DemoBroker: @unchecked Sendable {
    enum Kind: String {
        case tansu
        case mock = "mock216"
    }

    let kind: Kind
    let bootstrap: String
    private let process: Process
    private let stdin: FileHandle

    init(kind: Kind, root: URL, python: String, topics: [(String, Int)]) throws {
        self.kind = kind
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("scripts/brokers.py").path, kind.rawValue]
            + topics.flatMap { ["--topic", "\($0.0):\($0.1)"] }
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
        stdin = input.fileHandleForWriting
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("BOOTSTRAP=") else {
            process.terminate()
            throw DemoError("the \(kind.rawValue) broker did not start (scripts/brokers.py \(kind.rawValue) said: \(text.isEmpty ? "nothing" : text))")
        }
        bootstrap = String(text.dropFirst("BOOTSTRAP=".count))
    }

    /// Stops the broker and waits for it.
    func stop() {
        try? stdin.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
    }
}
