import Sluice

/// Reads one split of a ``FileSource``: its files in name order as one stream of lines, at a
/// byte position in that stream.
///
/// The split's stream is its files one after the other; a file's first byte sits where the file
/// before it ended. A line's offset is the stream offset where it starts; the runtime commits
/// one past the last line handled, and the reader resumes at the first line that starts at or
/// after a position, as a Kafka consumer resumes at the first record at or after an offset. A
/// file's last line needs no line break.
final class SplitReader {
    let split: Split
    private(set) var files: [ListedFile] = []
    /// Stream offset of each file's first byte.
    private var starts: [Int64] = []
    /// Where the next line starts.
    private(set) var position: Int64 = 0
    /// Whether the line at `position` was handled already (a position one past its start).
    private var skipsLine = false
    private let root: String
    private let maxLineBytes: Int
    /// The file holding `position` (or `files.count` at the end).
    private var current = 0
    private var descriptor: Int32 = -1
    private var openFile: Int?
    /// Bytes of the open file from stream offset `bufferStart` on.
    private var buffer: [UInt8] = []
    private var bufferStart: Int64 = 0
    private var headers: [RecordHeader] = []
    private static let readSize = 64 << 10

    init(split: Split, root: String, maxLineBytes: Int) {
        self.split = split
        self.root = root
        self.maxLineBytes = maxLineBytes
    }

    deinit { closeFile() }

    /// The stream's length: where it ends with the files known so far.
    var end: Int64 { (starts.last ?? 0) + (files.last?.size ?? 0) }

    /// Whether every known file has been read.
    var atEnd: Bool { position >= end }


    /// Adds files that sort after every known one; throws for a known file that changed or is
    /// gone, or a new one that sorts before the last known file.
    func update(with listed: [ListedFile]) throws {
        let byPath = Dictionary(listed.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        for file in files {
            guard let now = byPath[file.path] else {
                throw FileConnectorError.fileChanged(path: "\(root)/\(file.path)", detail: "it is gone")
            }
            if now.size != file.size {
                throw FileConnectorError.fileChanged(path: "\(root)/\(file.path)", detail: "\(file.size) bytes, now \(now.size)")
            }
        }
        let known = Set(files.map(\.path))
        for file in listed where !known.contains(file.path) {
            if let last = files.last, !last.path.utf8.lexicographicallyPrecedes(file.path.utf8) {
                throw FileConnectorError.fileOutOfOrder(path: "\(root)/\(file.path)", after: "\(root)/\(last.path)")
            }
            starts.append(end)
            files.append(file)
        }
        advancePastEndedFiles()
    }

    /// Moves to stream offset `offset`: the start of a line of a known file (or the end), or one
    /// past it, when that line was handled.
    func seek(to offset: Int64) throws {
        guard offset >= 0, offset <= end else {
            throw FileConnectorError.positionNotAtLineStart(
                split: "\(split)", position: offset, path: "\(root) (its files hold \(end) bytes)")
        }
        closeFile()
        skipsLine = false
        position = offset
        current = 0
        advancePastEndedFiles()
        guard current < files.count, offset > starts[current] else { return }
        let path = "\(root)/\(files[current].path)"
        let inFile = offset - starts[current]
        let descriptor = try FileSystem.openForReading(path)
        defer { FileSystem.release(descriptor) }
        var before: [UInt8] = []
        _ = try FileSystem.read(descriptor, at: max(0, inFile - 2), count: Int(min(2, inFile)), into: &before, path: path)
        if before.last == 0x0A { return }
        // One past the start of a line: the line at `offset - 1` was handled.
        guard inFile == 1 || before.first == 0x0A else {
            throw FileConnectorError.positionNotAtLineStart(split: "\(split)", position: offset, path: path)
        }
        position = offset - 1
        skipsLine = true
    }

    /// Appends up to `budget` lines to `chunk`; returns how many.
    func read(budget: Int, into chunk: inout SourceBatch<SourceRecord>.Chunk) throws -> Int {
        var count = 0
        while count < budget, current < files.count {
            let file = files[current]
            let fileStart = starts[current]
            if openFile != current { try open(current) }
            let cursor = Int(position - bufferStart)
            let next: Int64
            let lineEnd: Int
            if let lineBreak = buffer[cursor...].firstIndex(of: 0x0A) {
                lineEnd = lineBreak
                next = bufferStart + Int64(lineBreak) + 1
            } else if bufferStart + Int64(buffer.count) >= fileStart + file.size {
                // The file's last line, without a line break.
                lineEnd = buffer.count
                next = fileStart + file.size
            } else {
                try refill(file: file, fileStart: fileStart)
                continue
            }
            if lineEnd - cursor > maxLineBytes {
                throw FileConnectorError.lineTooLong(path: "\(root)/\(file.path)", offset: position - fileStart, limit: maxLineBytes)
            }
            if skipsLine {
                skipsLine = false
            } else {
                emit(from: cursor, to: lineEnd, file: file, into: &chunk)
                count += 1
            }
            position = next
            advancePastEndedFiles()
        }
        return count
    }

    /// Appends the line in `buffer[start..<end]` (a carriage return before its end dropped).
    private func emit(from start: Int, to end: Int, file: ListedFile, into chunk: inout SourceBatch<SourceRecord>.Chunk) {
        var stop = end
        if stop > start, buffer[stop - 1] == 0x0D { stop -= 1 }
        let offset = bufferStart + Int64(start)
        chunk.values.append(SourceRecord(
            topic: split.topic, partition: split.partition, offset: offset, timestamp: file.modified, key: nil,
            value: Array(buffer[start..<stop]), headers: headers))
        chunk.offsets.append(offset)
        chunk.timestamps.append(file.modified)
    }

    /// Drops the bytes before `position` and reads the next piece of the open file.
    private func refill(file: ListedFile, fileStart: Int64) throws {
        let cursor = Int(position - bufferStart)
        if buffer.count - cursor > maxLineBytes {
            throw FileConnectorError.lineTooLong(path: "\(root)/\(file.path)", offset: position - fileStart, limit: maxLineBytes)
        }
        buffer.removeFirst(cursor)
        bufferStart = position
        let readFrom = bufferStart + Int64(buffer.count) - fileStart
        let wanted = Int(min(Int64(Self.readSize), file.size - readFrom))
        let path = "\(root)/\(file.path)"
        let read = try FileSystem.read(descriptor, at: readFrom, count: wanted, into: &buffer, path: path)
        if read == 0 {
            throw FileConnectorError.fileChanged(path: path, detail: "listed with \(file.size) bytes, it ends at \(readFrom)")
        }
    }

    private func open(_ index: Int) throws {
        closeFile()
        descriptor = try FileSystem.openForReading("\(root)/\(files[index].path)")
        openFile = index
        buffer.removeAll(keepingCapacity: true)
        bufferStart = position
        headers = [RecordHeader(key: FileSource.fileHeader, value: Array(files[index].path.utf8))]
    }

    private func advancePastEndedFiles() {
        while current < files.count, position >= starts[current] + files[current].size {
            current += 1
        }
        if openFile != nil, openFile != current { closeFile() }
    }

    func closeFile() {
        if descriptor >= 0 { FileSystem.release(descriptor) }
        descriptor = -1
        openFile = nil
        buffer.removeAll(keepingCapacity: true)
    }
}
