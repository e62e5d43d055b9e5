import Logging

/// The one-line status a running worker logs every ``JobConfiguration/statusInterval``, for a
/// person following it:
/// `word-count w-0: 12.3k rec/s in, 12.1k rec/s out, lag 1,204, checkpoint #57 0.4 s ago`.
///
/// Rates are since the previous line. The lag (records behind the end of the worker's input
/// partitions) appears only where the source can tell it cheaply; checkpoints are commits under
/// at-least-once and at-most-once, which the line calls so.
///
/// The worker logs it at `notice` level with a logger labelled ``loggerLabel``: ``text`` as the
/// message, and its fields as ``metadata``, which structured log handlers (the job command's
/// `--log-format json`) write as fields of their own.
public struct StatusLine: Sendable, Equatable {
    /// The label of the logger status lines are logged with, `sluice.status`, so a log handler
    /// can tell them from the rest.
    public static let loggerLabel = "sluice.status"

    /// The job's name.
    public var job: String
    /// The worker's id.
    public var worker: String
    /// Records read from the sources per second since the previous line.
    public var recordsInPerSecond: Double
    /// Records the sinks accepted per second since the previous line.
    public var recordsOutPerSecond: Double
    /// Records behind the end of the input, when known.
    public var lag: Int64?
    /// `checkpoint` (exactly-once) or `commit`.
    public var checkpointWord: String
    /// How many checkpoints (commits) the worker made so far.
    public var checkpoints: Int
    /// How long ago the last one was, when there was one.
    public var lastCheckpointAge: Duration?

    /// Creates a status line.
    public init(job: String, worker: String, recordsInPerSecond: Double, recordsOutPerSecond: Double, lag: Int64?,
                checkpointWord: String, checkpoints: Int, lastCheckpointAge: Duration?) {
        self.job = job
        self.worker = worker
        self.recordsInPerSecond = recordsInPerSecond
        self.recordsOutPerSecond = recordsOutPerSecond
        self.lag = lag
        self.checkpointWord = checkpointWord
        self.checkpoints = checkpoints
        self.lastCheckpointAge = lastCheckpointAge
    }

    /// The line as logged.
    public var text: String {
        var parts = ["\(Self.rate(recordsInPerSecond)) rec/s in", "\(Self.rate(recordsOutPerSecond)) rec/s out"]
        if let lag { parts.append("lag \(Self.grouped(lag))") }
        if let age = lastCheckpointAge, checkpoints > 0 {
            parts.append("\(checkpointWord) #\(checkpoints) \(Self.seconds(age)) s ago")
        } else {
            parts.append("no \(checkpointWord) yet")
        }
        return "\(job) \(worker): " + parts.joined(separator: ", ")
    }

    /// The fields as swift-log metadata: `job`, `worker`, `records_in_per_second`,
    /// `records_out_per_second`, `checkpoints` (how many so far: the number of the last), and
    /// where known `lag` and `last_checkpoint_age_seconds`. Under at-least-once and at-most-once
    /// they count commits, as the line does. Numbers are numbers
    /// (`Logger.MetadataValue.stringConvertible`), rates and ages rounded to a tenth.
    public var metadata: Logger.Metadata {
        var fields: Logger.Metadata = [
            "job": .string(job),
            "worker": .string(worker),
            "records_in_per_second": .stringConvertible(Self.tenths(max(0, recordsInPerSecond))),
            "records_out_per_second": .stringConvertible(Self.tenths(max(0, recordsOutPerSecond))),
            "checkpoints": .stringConvertible(checkpoints),
        ]
        if let lag { fields["lag"] = .stringConvertible(lag) }
        if let age = lastCheckpointAge, checkpoints > 0 {
            let (seconds, attoseconds) = age.components
            fields["last_checkpoint_age_seconds"] = .stringConvertible(Self.tenths(Double(seconds) + Double(attoseconds) / 1e18))
        }
        return fields
    }

    private static func tenths(_ value: Double) -> Double {
        (value * 10).rounded() / 10
    }

    /// `850`, `12.3k`, `1.2M`: three significant digits at most.
    static func rate(_ value: Double) -> String {
        let value = max(0, value)
        if value < 1_000 { return value < 10 ? oneDecimal(value) : String(Int(value.rounded())) }
        if value < 1_000_000 { return value < 100_000 ? oneDecimal(value / 1_000) + "k" : String(Int((value / 1_000).rounded())) + "k" }
        return oneDecimal(value / 1_000_000) + "M"
    }

    /// `1,204`.
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// Seconds with one decimal: `0.4`, `12.0`.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return oneDecimal(Double(seconds) + Double(attoseconds) / 1e18)
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
