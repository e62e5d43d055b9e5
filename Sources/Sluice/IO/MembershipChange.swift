/// One change of a worker's assignment, as its ``Membership`` recorded it.
public enum MembershipChange: Sendable, Equatable {
    /// The worker now owns these splits; nothing reads them until the worker built their tasks
    /// and told the source where to start.
    case assigned([Split])
    /// The group is taking these splits away in an orderly hand-over: the worker checkpoints
    /// before it lets them go.
    case revoked([Split])
    /// The group took these splits away without a hand-over (the session expired): another
    /// worker may already own them.
    case lost([Split])

    /// The splits that changed hands.
    public var splits: [Split] {
        switch self {
        case .assigned(let splits), .revoked(let splits), .lost(let splits): splits
        }
    }

    /// What happened to ``splits``, as ``RebalanceEvent`` reports it.
    public var kind: RebalanceEvent.Change {
        switch self {
        case .assigned: .assigned
        case .revoked: .revoked
        case .lost: .lost
        }
    }
}
