extension MemoryBroker {
    /// What became of a transaction.
    public enum TransactionOutcome: Sendable, Equatable {
        /// Neither committed nor aborted yet: a read_committed consumer waits at its first
        /// record.
        case open
        /// Committed: its records are visible to read_committed consumers, its offsets to the
        /// group.
        case committed
        /// Aborted: by its producer, by an injected fault, or because its producer died or was
        /// fenced. Its records stay in the log, and brokers that do not filter hand them out.
        case aborted
    }
}
