/// A fixed assignment: this worker owns the given splits, or every split when none are given.
///
/// Used by local runs; nothing is ever revoked until the job stops.
public final class StaticMembership: Membership {
    private let splits: [Split]?
    private var changes: [MembershipChange] = []

    /// - Parameter splits: the splits to own, or `nil` for all splits of the job's sources.
    public init(splits: [Split]? = nil) {
        self.splits = splits
    }

    /// Records one assignment: the given splits found in `available`, or every available split.
    public func join(available: [Split]) throws {
        changes.append(.assigned(splits.map { wanted in available.filter(wanted.contains) } ?? available))
    }

    /// The assignment recorded by ``join(available:)``, once.
    public func takeChanges() -> [MembershipChange] {
        defer { changes = [] }
        return changes
    }

    /// Does nothing: there is no group to leave.
    public func leave() throws {}
}
