import Foundation
import Sluice

/// A failure of a file connector, naming the file or directory and what went wrong.
public enum FileConnectorError: Error, ConnectorError, CustomStringConvertible, Equatable {
    /// A system call failed on `path` (`errno` and its text are in `reason`).
    case ioFailure(operation: String, path: String, reason: String)
    /// A committed checkpoint names a part file that is neither pending nor visible any more:
    /// something outside the job removed it.
    case committedPartFileMissing(path: String, checkpoint: String)
    /// A bucket name the sink's bucket function returned cannot be a directory under the sink's.
    case invalidBucket(String, reason: String)
    /// A line holds a line break, which would make it two lines.
    case lineBreakInLine(index: Int)
    /// A line is longer than the source accepts.
    case lineTooLong(path: String, offset: Int64, limit: Int)
    /// A file source's name cannot name its splits (it becomes a Kafka topic under a Kafka runtime).
    case invalidSourceName(String)
    /// A continuous source found a file that sorts before one its split has already read.
    case fileOutOfOrder(path: String, after: String)
    /// A file the source listed changed size or disappeared.
    case fileChanged(path: String, detail: String)
    /// A position the runtime handed the source does not fall on a line start of the split's files.
    case positionNotAtLineStart(split: String, position: Int64, path: String)

    static func system(_ operation: String, path: String, errno code: Int32) -> FileConnectorError {
        .ioFailure(operation: operation, path: path, reason: String(cString: strerror(code)))
    }

    static func failed(_ operation: String, path: String, reason: String) -> FileConnectorError {
        .ioFailure(operation: operation, path: path, reason: reason)
    }

    /// Whether a restart cannot help: a missing committed file, a directory that changed under a
    /// source and an invalid configuration stay as they are; I/O failures (a full disk, a
    /// mount that went away) may pass.
    public var isFatal: Bool {
        switch self {
        case .ioFailure: false
        case .committedPartFileMissing, .invalidBucket, .lineBreakInLine, .lineTooLong, .invalidSourceName,
             .fileOutOfOrder, .fileChanged, .positionNotAtLineStart: true
        }
    }

    /// One line naming what and where.
    public var description: String {
        switch self {
        case .ioFailure(let operation, let path, let reason):
            "\(operation) \(path): \(reason)"
        case .committedPartFileMissing(let path, let checkpoint):
            "\(checkpoint) committed part file \(path), which is neither pending nor visible: something outside the job removed it"
        case .invalidBucket(let bucket, let reason):
            "bucket '\(bucket)' cannot be a directory under the sink's: \(reason)"
        case .lineBreakInLine(let index):
            "element \(index) of the batch makes a line holding a line break"
        case .lineTooLong(let path, let offset, let limit):
            "\(path): the line at byte \(offset) is longer than \(limit) bytes"
        case .invalidSourceName(let name):
            "file source name '\(name)' must be 1 to 200 of the characters a-z A-Z 0-9 . _ - (it names the source's splits, and under a Kafka runtime the topic holding their positions)"
        case .fileOutOfOrder(let path, let after):
            "\(path) appeared after \(after) was read, but sorts before it: a continuous file source reads each split's files in name order, so name new files to sort after the ones already there"
        case .fileChanged(let path, let detail):
            "\(path) changed after the file source listed it (\(detail)): files must be complete when they appear and never change or go away while the job may read them"
        case .positionNotAtLineStart(let split, let position, let path):
            "position \(position) of \(split) falls inside a line of \(path): the directory changed since the position was committed (files removed, or added before others)"
        }
    }
}
