import Foundation
import Sluice

/// Reads the lines of the files in a directory, exactly once into Kafka (or any sink that joins
/// the checkpoint) when the job is exactly-once.
///
/// ```swift
/// let files = try FileSource(directory: "/data/incoming", splits: 4, discovery: .continuous(scanInterval: .seconds(1)))
/// env.fromSource(files, deserializer: UTF8StringCodec())
///     .map { $0.uppercased() }
///     .sink(to: kafka.sink(topic: "lines")) { SinkRecord(value: Array($0.utf8)) }
/// ```
///
/// ## Splits and positions
///
/// The source has a fixed number of splits (`splits`, the source's parallelism), named
/// `<name>[0]`, `<name>[1]`, …: the engine fixes a job's splits when it plans it, and new files
/// keep appearing. Each file belongs to one split, chosen by a hash of its path, so every worker
/// places it alike. A split reads its files in the order of their paths (as bytes) as one
/// stream of lines, its files' bytes one after the other: a record's offset is the byte offset
/// in that stream where its line starts, and the position the job commits for the split is one
/// past the start of the last line it handled. The source resumes at the first line starting at
/// or after a position, as a Kafka consumer resumes at the first record at or after an offset.
/// Exactly-once checkpoints keep that position with the task's state, and a restored task reads
/// on from there (`Source.assign(_:)`); at-least-once jobs commit it as the split's position
/// and start there after a restart (`Source.startsAtCommittedPosition`).
///
/// Each line is a `SourceRecord`: its bytes as the value (without the line break, nor a
/// carriage return before it), no key, a header `file` naming its path under ``directory``, and
/// as timestamp the file's modification time in milliseconds; give event time from the line
/// itself with a `WatermarkStrategy`'s timestamp assigner.
///
/// ## Discovery
///
/// - ``Discovery/bounded``: the files present when the worker first lists the directory; each
///   split ends after its last line, and a job whose sources all end stops by itself.
/// - ``Discovery/continuous(scanInterval:)``: the directory is listed again every interval and
///   new files are read as they appear; the source never ends.
///
/// Hidden files and directories (a name starting with `.`) are skipped, so a file is read only
/// once it is complete when it is written under a hidden name and renamed into place (as
/// ``FileSink`` does). Files must never change once visible, and stay while the job may read
/// them: positions count the bytes of every file before. A continuous source's new files must
/// sort after the files of their split already there (a time or sequence number first in the
/// name); a source that finds a file changed, gone, or out of order stops the job with a line
/// naming it, instead of reading lines twice or skipping them.
///
/// ## Under a Kafka runtime
///
/// A job's Kafka runtime assigns the file splits through the job's consumer group like input
/// partitions: it keeps, for every split, a partition of a topic named ``name`` (created with
/// one partition per split, holding no records), so each split is read by exactly one worker of
/// the group at a time, moves with rebalances, and has its position committed as that
/// partition's offset. Give each source a name that is no topic of your own.
public final class FileSource: Source {
    /// Lines as records: the line's bytes as value.
    public typealias Element = SourceRecord

    /// Which files the source reads.
    public enum Discovery: Sendable, Hashable {
        /// The files present at start; the source ends after them.
        case bounded
        /// New files too, as a listing every `scanInterval` finds them; the source never ends.
        case continuous(scanInterval: Duration)
    }

    /// The header naming each line's file, relative to ``directory``.
    public static let fileHeader = "file"

    /// Names the splits (`<name>[i]`) and, under a Kafka runtime, the topic of their positions.
    public let name: String
    /// The directory read, with its subdirectories.
    public let directory: String
    /// Which files are read.
    public let discovery: Discovery
    /// How many splits the files are spread over.
    public let splitCount: Int
    /// The longest line accepted, in bytes; a longer one stops the job, naming file and offset.
    public let maxLineBytes: Int

    private var listing: [ListedFile]?
    private var lastScan: ContinuousClock.Instant?
    private var readers: [Split: SplitReader] = [:]
    private var endReported: Set<Split> = []
    private var nextFirst = 0

    /// A source of the files under `directory`.
    ///
    /// - Parameters:
    ///   - directory: the directory to read.
    ///   - name: names the splits, 1 to 200 of `a-z A-Z 0-9 . _ -`; `files-<directory's last
    ///     component>` by default.
    ///   - splits: how many splits (tasks) read the files; fixed for the job's life.
    ///   - discovery: the files present at start (bounded), or new ones too (continuous).
    ///   - maxLineBytes: the longest line accepted.
    /// - Throws: ``FileConnectorError/invalidSourceName(_:)``.
    public init(directory: String, name: String? = nil, splits: Int = 1, discovery: Discovery = .bounded,
                maxLineBytes: Int = 16 << 20) throws {
        precondition(splits > 0, "a file source needs at least one split")
        let trimmed = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let chosen = name ?? "files-" + String((trimmed.split(separator: "/").last ?? "root").unicodeScalars.map { scalar in
            Self.isNameCharacter(scalar) ? Character(scalar) : "_"
        })
        guard (1...200).contains(chosen.count), chosen.unicodeScalars.allSatisfy(Self.isNameCharacter), chosen != ".", chosen != ".." else {
            throw FileConnectorError.invalidSourceName(chosen)
        }
        self.name = chosen
        self.directory = trimmed
        self.discovery = discovery
        splitCount = splits
        self.maxLineBytes = maxLineBytes
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
    }

    /// Whether the source ends: bounded discovery.
    public var isBounded: Bool { discovery == .bounded }

    /// `true`: the source keeps no positions of its own, so a split without a checkpoint starts
    /// where the job last committed it.
    public var startsAtCommittedPosition: Bool { true }

    /// `<name>[0]` … `<name>[splits - 1]`.
    public func splits() -> [Split] {
        (0..<splitCount).map { Split(topic: name, partition: Int32($0)) }
    }

    /// Starts reading each split at its position (the start of its stream when `nil`), which
    /// must fall on a line start of its files.
    public func assign(_ splits: [SplitStart]) throws {
        let listed = try currentListing()
        for start in splits {
            let reader = SplitReader(split: start.split, root: directory, maxLineBytes: maxLineBytes)
            try reader.update(with: files(of: start.split, in: listed))
            try reader.seek(to: start.position ?? 0)
            readers[start.split] = reader
            endReported.remove(start.split)
        }
    }

    /// Moves a split back to `offset` (a task rewound to its checkpoint); an ended split is read
    /// again from there.
    public func seek(_ split: Split, to offset: Int64) throws {
        try readers[split]?.seek(to: offset)
        endReported.remove(split)
    }

    /// Stops reading `splits`.
    public func revoke(_ splits: [Split]) {
        for split in splits {
            readers[split]?.closeFile()
            readers[split] = nil
            endReported.remove(split)
        }
    }

    /// Reads up to `maxRecords` lines, spread over the assigned splits; continuous discovery
    /// lists the directory again when its interval has passed. When no split has a line to read
    /// (none assigned, all read), it waits up to `timeout`, or until the next listing is due.
    public func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<SourceRecord>) throws {
        if case .continuous(let interval) = discovery, lastScan.map({ ContinuousClock.now - $0 >= interval }) ?? true {
            try rescan()
        }
        let order = readers.keys.sorted()
        guard !order.isEmpty else { return wait(timeout) }
        var budget = maxRecords
        var read = 0
        for step in 0..<order.count where budget > 0 {
            let split = order[(nextFirst + step) % order.count]
            guard let reader = readers[split] else { continue }
            var chunk = SourceBatch<SourceRecord>.Chunk(split: split)
            let count = try reader.read(budget: max(1, budget / (order.count - step)), into: &chunk)
            if count > 0 { batch.append(chunk) }
            budget -= count
            read += count
            if isBounded, reader.atEnd, !endReported.contains(split) {
                endReported.insert(split)
                batch.markEnded(split)
            }
        }
        nextFirst += 1
        if read == 0, batch.endedSplits.isEmpty { wait(timeout) }
    }

    /// Sleeps `timeout`, or until the next listing is due when that comes first.
    private func wait(_ timeout: Duration) {
        var pause = timeout
        if case .continuous(let interval) = discovery, let lastScan {
            pause = min(pause, max(.zero, lastScan + interval - ContinuousClock.now))
        }
        guard pause > .zero else { return }
        Thread.sleep(forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
    }

    /// Closes every open file.
    public func close() {
        for reader in readers.values { reader.closeFile() }
    }

    // MARK: Listing

    /// The listing splits are read from: bounded, the first one for the whole run.
    private func currentListing() throws -> [ListedFile] {
        if let listing { return listing }
        let listed = try ListedFile.list(directory)
        listing = listed
        lastScan = .now
        return listed
    }

    private func rescan() throws {
        let listed = try ListedFile.list(directory)
        listing = listed
        lastScan = .now
        for (split, reader) in readers { try reader.update(with: files(of: split, in: listed)) }
    }

    private func files(of split: Split, in listed: [ListedFile]) -> [ListedFile] {
        listed.filter { ListedFile.split(of: $0.path, count: splitCount) == split.partition }
    }
}
