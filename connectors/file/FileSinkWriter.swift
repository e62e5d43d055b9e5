import Foundation
import Sluice

/// One task's writer of a ``FileSink``: its open part files per bucket, and the two-phase
/// participant that makes them visible (see ``FileSink``).
final class FileSinkWriter<Element>: SinkWriter {
    let participantID: String
    private let sink: FileSink<Element>
    private let exactlyOnce: Bool
    private let taskPrefix: String
    /// Drawn per writer, so no two incarnations of a task name a part file alike.
    private let token = String(UInt64.random(in: 0...UInt64.max), radix: 16).leftPadded(to: 16)
    private var counter = 0
    private var open: [String: PartFile] = [:]
    /// Part files closed since the last prepare, by path relative to the sink's directory.
    private var closed: [String] = []
    /// Exactly-once: part files prepared for the checkpoint in flight, waiting for its decision.
    private var staged: [String] = []
    private var knownBuckets: Set<String> = []
    private var line: [UInt8] = []

    init(sink: FileSink<Element>, task: SinkTaskContext) {
        self.sink = sink
        participantID = task.participantID
        exactlyOnce = task.guarantee == .exactlyOnce
        taskPrefix = CheckpointAttempt.taskPrefix(job: task.job, task: task.task)
    }

    // MARK: Writing

    func write(_ elements: [Element]) throws {
        let now = sink.clock()
        for (index, element) in elements.enumerated() {
            let bucket: String
            line.removeAll(keepingCapacity: true)
            do {
                bucket = try sink.bucket(element)
                if !knownBuckets.contains(bucket) { try Self.validate(bucket) }
                try sink.format.append(element, &line)
                if sink.format.checksLineBreaks, line.contains(0x0A) { throw FileConnectorError.lineBreakInLine(index: index) }
            } catch {
                throw RecordRejected(index: index, underlying: error)
            }
            try part(for: bucket, adding: line.count + 1, now: now).append(line)
        }
    }

    /// The open part file of `bucket` that takes `bytes` more, rolling the current one first
    /// when it is full or old enough.
    private func part(for bucket: String, adding bytes: Int, now: ContinuousClock.Instant) throws -> PartFile {
        if let current = open[bucket] {
            let full = current.size > 0 && current.size + bytes > sink.rolling.maxPartSize
            guard full || now - current.opened >= sink.rolling.rolloverInterval else { return current }
            open[bucket] = nil
            try current.close()
            closed.append(current.relativePath)
        }
        let directory = bucket.isEmpty ? sink.directory : "\(sink.directory)/\(bucket)"
        if !knownBuckets.contains(bucket) {
            try FileSystem.createDirectory(directory)
            knownBuckets.insert(bucket)
        }
        let name = PartFileName.visible(taskPrefix: taskPrefix, token: token, counter: counter, fileExtension: sink.format.fileExtension)
        counter += 1
        let part = try PartFile(relativePath: bucket.isEmpty ? name : "\(bucket)/\(name)", directory: directory, opened: now)
        open[bucket] = part
        return part
    }

    /// Throws unless `bucket` is a relative path of plain components.
    static func validate(_ bucket: String) throws {
        guard !bucket.isEmpty else { return }
        if bucket.hasPrefix("/") { throw FileConnectorError.invalidBucket(bucket, reason: "it starts with /") }
        for component in bucket.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { throw FileConnectorError.invalidBucket(bucket, reason: "it has an empty component") }
            if component.hasPrefix(".") {
                throw FileConnectorError.invalidBucket(bucket, reason: "a component starts with '.', which hides it (and '..' leaves the directory)")
            }
            if component.contains("\0") || component.contains("\n") {
                throw FileConnectorError.invalidBucket(bucket, reason: "it holds a NUL or a line break")
            }
        }
    }

    // MARK: Two-phase commit

    /// Closes every open part file (written out and synced); exactly-once stages them for the
    /// checkpoint, at-least-once makes them visible at once.
    func prepare(_ attempt: CheckpointAttempt) throws {
        for bucket in open.keys.sorted() {
            let part = open[bucket]!
            open[bucket] = nil
            try part.close()
            closed.append(part.relativePath)
        }
        guard !closed.isEmpty else { return }
        let files = closed
        closed = []
        try syncDirectories(of: files)
        if exactlyOnce {
            staged += files
        } else {
            try publish(files, checkpoint: "\(attempt)")
        }
    }

    /// The staged part files, by path relative to the sink's directory, as JSON; `nil` when none.
    func preCommit(_ attempt: CheckpointAttempt) throws -> [UInt8]? {
        guard exactlyOnce, !staged.isEmpty else { return nil }
        return Array(try JSONEncoder().encode(staged))
    }

    /// Renames the part files the committed checkpoint names.
    func commit(_ attempt: CheckpointAttempt, preCommitted: [UInt8]?) throws {
        guard let preCommitted else { return }
        // Committed: from here on only a recovery may touch them, never an abort.
        staged = []
        try publish(try Self.decode(preCommitted), checkpoint: "\(attempt)")
    }

    /// Deletes the part files no checkpoint names: those open and those closed since the last
    /// prepare. Staged ones stay for ``recover(_:)``, which knows whether their checkpoint
    /// committed: the worker also aborts when a commit's outcome is unknown, and deleting them
    /// then could lose committed lines.
    func abort(_ attempt: CheckpointAttempt) {
        for part in open.values {
            part.discard()
            try? FileSystem.remove(part.hiddenPath)
        }
        open = [:]
        for file in closed { try? FileSystem.remove(hiddenPath(of: file)) }
        closed = []
        staged = []
    }

    /// Renames what the restored checkpoint names (again, harmlessly, when already done) and
    /// deletes every other hidden part file of the task, wherever it is under the directory.
    func recover(_ recovery: TaskRecovery) throws {
        if let checkpoint = recovery.checkpoint, let preCommitted = recovery.preCommitted {
            try publish(try Self.decode(preCommitted), checkpoint: "\(checkpoint)")
        }
        var touched: Set<String> = []
        try FileSystem.walk(sink.directory) { directory, name in
            guard PartFileName.isHidden(name, ofTask: recovery.taskPrefix) else { return }
            try FileSystem.remove("\(directory)/\(name)")
            touched.insert(directory)
        }
        for directory in touched.sorted() { try FileSystem.syncDirectory(directory) }
    }

    // MARK: Files

    /// Makes `files` visible, each by renaming its hidden file; a file already visible was
    /// renamed before (a commit that a crash interrupted).
    private func publish(_ files: [String], checkpoint: String) throws {
        for file in files {
            let visible = "\(sink.directory)/\(file)"
            let hidden = hiddenPath(of: file)
            if FileSystem.exists(hidden) {
                try FileSystem.moveAtomically(hidden, to: visible)
            } else if !FileSystem.exists(visible) {
                throw FileConnectorError.committedPartFileMissing(path: visible, checkpoint: checkpoint)
            }
        }
        try syncDirectories(of: files)
    }

    private func hiddenPath(of file: String) -> String {
        let parts = file.split(separator: "/")
        let directory = ([sink.directory] + parts.dropLast().map(String.init)).joined(separator: "/")
        return "\(directory)/\(PartFileName.hidden(String(parts.last ?? "")))"
    }

    private func syncDirectories(of files: [String]) throws {
        let directories = Set(files.map { file in
            ([sink.directory] + file.split(separator: "/").dropLast().map(String.init)).joined(separator: "/")
        })
        for directory in directories.sorted() { try FileSystem.syncDirectory(directory) }
    }

    private static func decode(_ bytes: [UInt8]) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(bytes))
    }
}

extension String {
    /// The string with zeros before it up to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
