/// Where a ``KafkaSource`` starts reading a partition it is assigned.
public enum KafkaStartingOffsets: Sendable, Equatable {
    /// The group's committed offset; the earliest retained record where none is committed.
    case committedOrEarliest
    /// The group's committed offset; the next new record where none is committed.
    case committedOrLatest
    /// Always the earliest retained record, ignoring committed offsets (replay).
    case earliest
    /// Always the next new record, ignoring committed offsets.
    case latest
}
