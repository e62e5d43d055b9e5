/// Where a source starts reading a split it was assigned.
public struct SplitStart: Sendable, Hashable, CustomStringConvertible {
    /// The split.
    public var split: Split
    /// The offset of the first record to read: the position of the checkpoint the split's task
    /// was restored from; `nil` starts where the source's own policy says (committed offset,
    /// earliest, latest, a time).
    public var position: Int64?

    /// Starts `split` at `position`, or at the source's own start when `nil`.
    public init(_ split: Split, at position: Int64? = nil) {
        self.split = split
        self.position = position
    }

    /// `topic[partition]@offset`, or `topic[partition]` for the source's own start.
    public var description: String {
        position.map { "\(split)@\($0)" } ?? split.description
    }
}
