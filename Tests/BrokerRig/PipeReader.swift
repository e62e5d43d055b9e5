import Foundation

/// Drains one pipe of a child process on its own thread, so the child never blocks on a
/// full pipe, and hands out complete lines or the whole output.
final class PipeReader: @unchecked Sendable {
    private let condition = NSCondition()
    private var buffer = Data()
    private var lines: [String] = []
    private var finished = false
    private let keepTail: Int?

    /// Starts reading `handle` until end of file. With `keepTail`, only the last `keepTail`
    /// bytes are kept and no lines are split (for stderr).
    init(_ handle: FileHandle, keepTail: Int? = nil) {
        self.keepTail = keepTail
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                self.condition.lock()
                if chunk.isEmpty {
                    self.finished = true
                } else {
                    self.append(chunk)
                }
                self.condition.broadcast()
                self.condition.unlock()
                if chunk.isEmpty { break }
            }
        }
        thread.name = "BrokerRig.PipeReader"
        thread.start()
    }

    /// Called with the lock held.
    private func append(_ chunk: Data) {
        buffer.append(chunk)
        if let keepTail {
            if buffer.count > keepTail { buffer = Data(buffer.suffix(keepTail)) }
            return
        }
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer[buffer.startIndex..<newline]
            lines.append(String(decoding: line, as: UTF8.self))
            buffer = Data(buffer[buffer.index(after: newline)...])
        }
    }

    /// The next complete line, or `nil` at end of file or when `timeout` seconds pass.
    func nextLine(timeout: Double) -> String? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while lines.isEmpty && !finished {
            if !condition.wait(until: deadline) { break }
        }
        return lines.isEmpty ? nil : lines.removeFirst()
    }

    /// Waits for end of file and returns all remaining text (complete lines and any rest).
    func readToEnd() -> String {
        condition.lock()
        defer { condition.unlock() }
        while !finished { condition.wait() }
        var text = lines.map { $0 + "\n" }.joined()
        text += String(decoding: buffer, as: UTF8.self)
        lines.removeAll()
        buffer.removeAll()
        return text
    }

    /// What was read so far and not handed out, as text (the stderr tail).
    func snapshot() -> String {
        condition.lock()
        defer { condition.unlock() }
        return lines.map { $0 + "\n" }.joined() + String(decoding: buffer, as: UTF8.self)
    }
}
