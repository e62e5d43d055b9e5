import Foundation

/// Drains one pipe of a child process on its own thread, so the child never blocks on a
/// full pipe: keeps its lines to hand out, keeps only its tail, or copies it to a file.
final class PipeReader: @unchecked Sendable {
    /// What is done with what the pipe delivers.
    enum Mode {
        /// Complete lines are kept for ``nextLine(timeout:)`` and ``readToEnd()``.
        case lines
        /// Only the last `bytes` bytes are kept, no lines split (for stderr).
        case tail(bytes: Int)
        /// Everything is written to `file`; each complete line also goes to `onLine`, and
        /// nothing is kept.
        case copy(to: FileHandle, onLine: @Sendable (String) -> Void)
    }

    private let condition = NSCondition()
    private var buffer = Data()
    private var lines: [String] = []
    private var finished = false
    private let mode: Mode

    /// Starts reading `handle` until end of file.
    init(_ handle: FileHandle, mode: Mode) {
        self.mode = mode
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
        switch mode {
        case .tail(let bytes):
            buffer.append(chunk)
            if buffer.count > bytes { buffer = Data(buffer.suffix(bytes)) }
        case .lines:
            buffer.append(chunk)
            while let line = takeLine() { lines.append(line) }
        case .copy(let file, let onLine):
            file.write(chunk)
            buffer.append(chunk)
            while let line = takeLine() { onLine(line) }
        }
    }

    /// Removes the first complete line from the buffer.
    private func takeLine() -> String? {
        guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
        buffer = Data(buffer[buffer.index(after: newline)...])
        return line
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

    /// Waits up to `timeout` seconds for end of file; returns whether it came.
    @discardableResult
    func waitForEnd(timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while !finished {
            if !condition.wait(until: deadline) { break }
        }
        return finished
    }

    /// What was read so far and not handed out, as text (the stderr tail).
    func snapshot() -> String {
        condition.lock()
        defer { condition.unlock() }
        return lines.map { $0 + "\n" }.joined() + String(decoding: buffer, as: UTF8.self)
    }
}
