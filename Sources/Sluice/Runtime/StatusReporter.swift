import Logging

/// Makes a worker's ``StatusLine`` every ``JobConfiguration/statusInterval``, from the driver
/// thread between rounds, for the worker to log (at `notice`, labelled
/// ``StatusLine/loggerLabel``).
struct StatusReporter {
    private let interval: Duration
    private let checkpointWord: String
    private var lastLine: ContinuousClock.Instant
    private var lastRead = 0
    private var lastWritten = 0
    private var checkpoints = 0
    private var lastCheckpoint: ContinuousClock.Instant?

    init(interval: Duration, exactlyOnce: Bool, now: ContinuousClock.Instant) {
        self.interval = interval
        checkpointWord = exactlyOnce ? "checkpoint" : "commit"
        lastLine = now
    }

    /// Notes a checkpoint (commit) count seen at `now`; call every round.
    mutating func note(checkpoints count: Int, now: ContinuousClock.Instant) {
        if count != checkpoints {
            checkpoints = count
            lastCheckpoint = now
        }
    }

    /// The line due at `now`, if one is, and starts the next interval.
    mutating func line(job: String, worker: String, read: Int, written: Int, lag: Int64?,
                       now: ContinuousClock.Instant) -> StatusLine? {
        let elapsed = now - lastLine
        guard elapsed >= interval, elapsed > .zero else { return nil }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let line = StatusLine(
            job: job, worker: worker,
            recordsInPerSecond: Double(read - lastRead) / seconds, recordsOutPerSecond: Double(written - lastWritten) / seconds,
            lag: lag, checkpointWord: checkpointWord, checkpoints: checkpoints,
            lastCheckpointAge: lastCheckpoint.map { now - $0 })
        lastLine = now
        lastRead = read
        lastWritten = written
        return line
    }
}
