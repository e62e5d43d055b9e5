/// One part file a task is writing: hidden, open, its lines gathered in a buffer and written in
/// large pieces.
final class PartFile {
    /// The visible name's path relative to the sink's directory (`<bucket>/part-…`).
    let relativePath: String
    /// The hidden file's absolute path.
    let hiddenPath: String
    /// The bucket's directory, absolute.
    let directory: String
    let opened: ContinuousClock.Instant
    /// Bytes in the file, buffered ones included.
    private(set) var size = 0
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private static let flushThreshold = 64 << 10

    /// Creates the hidden file of `relativePath` in `directory` (which exists).
    init(relativePath: String, directory: String, opened: ContinuousClock.Instant) throws {
        self.relativePath = relativePath
        self.directory = directory
        let base = relativePath.split(separator: "/").last.map(String.init) ?? relativePath
        hiddenPath = "\(directory)/\(PartFileName.hidden(base))"
        self.opened = opened
        descriptor = try FileSystem.create(hiddenPath)
        buffer.reserveCapacity(Self.flushThreshold)
    }

    /// Appends `line` and a line break.
    func append(_ line: [UInt8]) throws {
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
        size += line.count + 1
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try FileSystem.writeAll(descriptor, buffer, path: hiddenPath)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, makes the file durable and closes it.
    func close() throws {
        defer { discard() }
        try flush()
        try FileSystem.sync(descriptor, path: hiddenPath)
    }

    /// Closes the file without writing what is buffered.
    func discard() {
        if descriptor >= 0 {
            FileSystem.release(descriptor)
            descriptor = -1
        }
        buffer = []
    }

    deinit { discard() }
}
