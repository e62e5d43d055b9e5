/// Writes each element's description to standard output, one line each, like Flink's `print()`.
public final class PrintSink<Element>: SharedSink {
    /// Always `print`.
    public let name: String
    private let prefix: String
    private let lock = LockedValue(())

    /// - Parameter prefix: text put before every line, such as a stream's name.
    public init(prefix: String = "") {
        self.name = "print"
        self.prefix = prefix
    }

    /// Prints the elements of one call in one piece, so lines of concurrent tasks never interleave.
    public func write(_ elements: [Element]) {
        var text = ""
        for element in elements {
            text += prefix
            text += String(describing: element)
            text += "\n"
        }
        // One print per batch under a lock keeps lines of concurrent tasks whole.
        lock.withLock { _ in print(text, terminator: "") }
    }

    /// Does nothing: ``write(_:)`` has already printed.
    public func flush() {}
}
