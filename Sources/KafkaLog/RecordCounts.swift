/// Records by what a read_committed reader makes of them.
public struct RecordCounts: Sendable, Equatable {
    /// Records of committed transactions, wherever the last stable offset is.
    public var committed = 0
    /// Records of aborted transactions.
    public var aborted = 0
    /// Records of open transactions.
    public var open = 0
    /// Non-transactional records, wherever the last stable offset is.
    public var plain = 0
    /// Committed and plain records at or beyond their partition's last stable offset: a
    /// read_committed reader does not see them until the open transactions before them end.
    public var hiddenBehindLastStableOffset = 0

    /// Counts from their parts; zero by default.
    public init(committed: Int = 0, aborted: Int = 0, open: Int = 0, plain: Int = 0, hiddenBehindLastStableOffset: Int = 0) {
        self.committed = committed
        self.aborted = aborted
        self.open = open
        self.plain = plain
        self.hiddenBehindLastStableOffset = hiddenBehindLastStableOffset
    }

    /// What a read_committed reader sees now: committed and plain records below the last
    /// stable offset.
    public var visible: Int { committed + plain - hiddenBehindLastStableOffset }

    static func + (left: Self, right: Self) -> Self {
        Self(committed: left.committed + right.committed, aborted: left.aborted + right.aborted, open: left.open + right.open,
             plain: left.plain + right.plain,
             hiddenBehindLastStableOffset: left.hiddenBehindLastStableOffset + right.hiddenBehindLastStableOffset)
    }
}
