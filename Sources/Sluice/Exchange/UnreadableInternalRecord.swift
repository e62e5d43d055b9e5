/// A record of one of the job's internal topics (a repartition topic) that the reading task
/// cannot use: bytes that are no envelope of this build of Sluice, a value missing, or an
/// upstream task the job's plan does not have. It names the record and what was wrong.
///
/// Reading the topic again meets the same bytes, so it stops the worker at once
/// (``ConnectorError/isFatal``) instead of restarting from the last checkpoint.
public struct UnreadableInternalRecord: ConnectorError, CustomStringConvertible {
    /// The internal topic.
    public var topic: String
    /// The partition of ``topic`` the record was read from.
    public var partition: Int32
    /// The record's own offset.
    public var offset: Int64
    /// What was wrong with it.
    public var reason: any Error

    /// The record at `offset` of `topic`'s `partition` could not be read because of `reason`.
    public init(topic: String, partition: Int32, offset: Int64, reason: any Error) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.reason = reason
    }

    /// Always: see the type's documentation.
    public var isFatal: Bool { true }

    /// One line naming the record and the reason.
    public var description: String {
        "unreadable record in internal topic \(topic), partition \(partition), offset \(offset): \(reason)"
    }
}
