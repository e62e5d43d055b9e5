/// What a read_committed reader makes of a data batch.
public enum BatchState: String, Sendable, Equatable {
    /// Not transactional.
    case plain
    /// Its transaction committed in this partition.
    case committed
    /// Its transaction aborted in this partition.
    case aborted
    /// Its transaction has not ended in this partition.
    case open
}
