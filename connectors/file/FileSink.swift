import Foundation
import Sluice

/// Writes a job's results as lines into part files under a directory, exactly once when the
/// job is (its writers join the task's checkpoint by two-phase commit), at least once when the
/// job is at-least-once.
///
/// ```swift
/// let sink = FileSink<WordCount>(
///     directory: "/data/word-counts", format: .text { "\($0.word)\t\($0.windowStart)\t\($0.count)" },
///     rolling: RollingPolicy(maxPartSize: 64 << 20, rolloverInterval: .seconds(300)),
///     bucket: { FileSink<WordCount>.day(ofMilliseconds: $0.windowStart) })   // 2026-01-01/part-…
/// counts.sink(to: sink)
/// ```
///
/// Each task writes its own part files, one open at a time per **bucket**: a directory under
/// ``directory`` that the bucket function names for each element (the window's day, a
/// customer's region), or ``directory`` itself when it returns `""`. A part file is rolled when
/// the ``RollingPolicy`` says, and always at a checkpoint.
///
/// ## Visibility
///
/// A part file is written **hidden**, as `.part-….inprogress`, and becomes visible as
/// `part-…` by an atomic rename only once the data in it is committed:
///
/// - **exactly-once**: at a checkpoint the writer (a two-phase participant of the task) writes
///   out, syncs and closes its part files (`prepare`), names them in the task's manifest
///   (`preCommit`), and renames them once the worker's transaction committed (`commit`). When
///   the task is built again after a crash or a rebalance, the writer renames the files its
///   restored checkpoint names (a crash may have struck between the commit and the renames) and
///   deletes every other hidden part file of the task: they belong to checkpoints that never
///   committed, whose input is read again.
/// - **at-least-once**: part files are renamed as soon as they are closed, before the input
///   positions are committed; a crash after the rename and before the commit writes their lines
///   again.
///
/// Readers should skip hidden files (most tools do). Files are synced before they are named in
/// a checkpoint, and their directories after every rename, so a committed part file survives a
/// machine crash too.
public final class FileSink<Element>: Sink, Sendable {
    /// `files:<directory>`, for plans and messages.
    public let name: String
    /// The directory the part files and bucket directories go under.
    public let directory: String
    /// How an element becomes a line.
    public let format: LineFormat<Element>
    /// When part files roll.
    public let rolling: RollingPolicy
    let bucket: @Sendable (Element) throws -> String
    let clock: @Sendable () -> ContinuousClock.Instant

    /// A sink writing under `directory`, created when missing.
    ///
    /// - Parameters:
    ///   - directory: the directory part files go under.
    ///   - format: how each element becomes a line (``LineFormat``).
    ///   - rolling: when a part file is closed and the next one started, besides every checkpoint.
    ///   - bucket: the directory under `directory`, relative (such as `2026-01-01` or
    ///     `region=eu/day=2026-01-01`), an element's line goes to; `""` for `directory` itself.
    ///     It must not start with `/`, nor have an empty, `.`-led or `..` component. An element
    ///     whose bucket function throws, or names an invalid bucket, goes to the job's bad-input
    ///     policy.
    public convenience init(
        directory: String, format: LineFormat<Element>, rolling: RollingPolicy = RollingPolicy(),
        bucket: @escaping @Sendable (Element) throws -> String = { _ in "" }
    ) {
        self.init(directory: directory, format: format, rolling: rolling, bucket: bucket, clock: { .now })
    }

    init(directory: String, format: LineFormat<Element>, rolling: RollingPolicy,
         bucket: @escaping @Sendable (Element) throws -> String, clock: @escaping @Sendable () -> ContinuousClock.Instant) {
        let trimmed = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.directory = trimmed
        name = "files:\(trimmed)"
        self.format = format
        self.rolling = rolling
        self.bucket = bucket
        self.clock = clock
    }

    /// The writer of one task: creates ``directory`` when missing.
    public func makeWriter(for task: SinkTaskContext) throws -> any SinkWriter<Element> {
        try FileSystem.createDirectory(directory)
        return FileSinkWriter(sink: self, task: task)
    }

    /// The UTC day of a time in milliseconds since the Unix epoch, as `yyyy-MM-dd`: a bucket per
    /// day of event time (a window's start, a record's timestamp).
    public static func day(ofMilliseconds milliseconds: Int64) -> String {
        let days = Int64((Double(milliseconds) / 86_400_000).rounded(.down))
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day))"
    }
}
