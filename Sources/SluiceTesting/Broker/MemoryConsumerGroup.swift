import Sluice

/// A consumer group of a ``MemoryBroker``: its committed offsets, its members, and who owns
/// which split. Every worker of a job on ``MemoryBrokerRuntime`` is a member of the group named
/// after the job, through its source.
///
/// Assignment works as Kafka's cooperative-sticky protocol does. When a member joins, leaves,
/// dies or lets revoked splits go, the group aims at an even assignment that moves as few
/// splits as it can: a free split is assigned at once, a split another member owns is first
/// revoked from it (`MembershipChange.revoked`), and assigned to its new owner only once the
/// old one let it go (``release(_:by:)``). A member whose session expires
/// (``expireSession(of:)``) is told it lost its splits, which go to the others at once; it
/// counts for nothing until it let them go, then rejoins.
///
/// Members read their changes with ``takeChanges(for:)``, as a consumer's rebalance callbacks
/// report them inside a poll.
public struct MemoryConsumerGroup: Sendable {
    /// The broker.
    public let broker: MemoryBroker
    /// The group id: the job's name.
    public let id: String

    init(broker: MemoryBroker, id: String) {
        self.broker = broker
        self.id = id
    }

    // MARK: Offsets

    /// The offsets committed for `splits`; splits never committed are absent.
    public func committedOffsets(for splits: [Split]) -> [Split: Int64] {
        broker.withState { state in (state.groups[id]?.offsets ?? [:]).filter { splits.contains($0.key) } }
    }

    /// Commits `offsets` outside any transaction, as an operator's offset reset does; visible
    /// at once.
    public func commitOffsets(_ offsets: [Split: Int64]) {
        broker.withState { state in
            state.groups[id, default: GroupState()].offsets.merge(offsets) { $1 }
            state.revision += 1
        }
    }

    // MARK: Members

    /// The members, in join order, those rejoining after a loss included.
    public var members: [String] {
        broker.withState { state in
            (state.groups[id]?.members ?? [:]).sorted { $0.value.number < $1.value.number }.map(\.key)
        }
    }

    /// The splits `member` owns now, revoked ones it has not let go yet included.
    public func assignment(of member: String) -> [Split] {
        broker.withState { $0.groups[id]?.owned(by: member) ?? [] }
    }

    /// Bumped by every rebalance that changed an assignment.
    public var generation: Int {
        broker.withState { $0.groups[id]?.generation ?? 0 }
    }

    /// `member` joins, subscribed to `topics`; a member of that name already in the group is
    /// replaced (as a static member's restart replaces it). The group rebalances.
    public func join(_ member: String, topics: [String]) {
        broker.withState { $0.join(member, topics: topics, group: id) }
    }

    /// `member` leaves (after letting its splits go) and the group rebalances. The process of a
    /// member that died is gone from the group the same way once its session ended.
    public func leave(_ member: String) {
        broker.withState { $0.removeMember(member, group: id) }
    }

    /// `member`'s session expired: its splits go to the others at once and it is told it lost
    /// them (`MembershipChange.lost`).
    public func expireSession(of member: String) {
        broker.withState { $0.expireSession(of: member, group: id) }
    }

    /// `member` let `splits` go (revoked, lost, or at the end of its run).
    public func release(_ splits: [Split], by member: String) {
        broker.withState { $0.release(splits, by: member, group: id) }
    }

    /// The changes of `member`'s assignment since the last call, oldest first.
    public func takeChanges(for member: String) -> [MembershipChange] {
        broker.withState { $0.takeChanges(for: member, group: id) }
    }

    /// Whether `member` lost splits it has not let go yet.
    public func hasLostSplits(_ member: String) -> Bool {
        broker.withState { !($0.groups[id]?.members[member]?.lost.isEmpty ?? true) }
    }
}
