/// Transactions by outcome, counted per partition: a transaction is a run of transactional
/// data batches of one producer id in one partition, ended by that producer's next COMMIT or
/// ABORT control batch there, or still open. A transaction that wrote to k partitions counts
/// k times in a topic's totals.
public struct TransactionCounts: Sendable, Equatable {
    /// Ended by a COMMIT control batch.
    public var committed = 0
    /// Ended by an ABORT control batch.
    public var aborted = 0
    /// Not ended yet.
    public var open = 0

    /// Counts from their parts; zero by default.
    public init(committed: Int = 0, aborted: Int = 0, open: Int = 0) {
        self.committed = committed
        self.aborted = aborted
        self.open = open
    }

    static func + (left: Self, right: Self) -> Self {
        Self(committed: left.committed + right.committed, aborted: left.aborted + right.aborted, open: left.open + right.open)
    }
}
