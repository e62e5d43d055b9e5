/// A fixed assignment: this worker owns the given splits, or every split when none are given.
///
/// Used by local runs; nothing is ever revoked until the job stops.
public final class StaticMembership: Membership {
    private let splits: [Split]?

    /// - Parameter splits: the splits to own, or `nil` for all splits of the job's sources.
    public init(splits: [Split]? = nil) {
        self.splits = splits
    }

    /// Assigns, at once, the given splits found in `available`, or every available split.
    public func join(listener: MembershipListener, available: [Split]) throws {
        let owned = splits.map { wanted in available.filter(wanted.contains) } ?? available
        try listener.splitsAssigned(owned)
    }

    /// Does nothing: there is no group to leave.
    public func leave() throws {}
}
