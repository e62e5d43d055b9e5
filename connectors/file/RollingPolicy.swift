/// When a ``FileSink`` closes a task's part file of a bucket and starts the next one.
///
/// A part file is always closed at every checkpoint (or, at-least-once, every commit): that is
/// when it becomes visible. Between two checkpoints it is also rolled when it reached
/// ``maxPartSize`` bytes, or when it has been open for ``rolloverInterval`` by the time a line
/// is written to it, like Flink's `DefaultRollingPolicy`.
public struct RollingPolicy: Sendable, Hashable {
    /// The size a part file may reach before the next line goes to a new one; a single line
    /// larger than this still makes a part file of its own.
    public var maxPartSize: Int
    /// How long a part file stays open for writing.
    public var rolloverInterval: Duration

    /// Rolls at `maxPartSize` bytes (128 MiB by default) or after `rolloverInterval` (60 s).
    public init(maxPartSize: Int = 128 << 20, rolloverInterval: Duration = .seconds(60)) {
        precondition(maxPartSize > 0, "a part file must be allowed at least one byte")
        self.maxPartSize = maxPartSize
        self.rolloverInterval = rolloverInterval
    }
}
