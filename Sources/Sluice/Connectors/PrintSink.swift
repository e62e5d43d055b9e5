/// Writes each element's description to standard output, one line each, like Flink's `print()`.
public final class PrintSink<Element>: Sink {
    public let name: String
    private let prefix: String
    private let lock = LockedValue(())

    /// - Parameter prefix: text put before every line, such as a stream's name.
    public init(prefix: String = "") {
        self.name = "print"
        self.prefix = prefix
    }

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

    public func flush() {}
}
