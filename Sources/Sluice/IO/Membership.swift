/// Decides which splits this worker owns.
///
/// A static assignment (``StaticMembership``) suits in-memory and generator sources; the Kafka
/// connector implements it with the consumer group (group id = job name), reporting its
/// rebalance callbacks to the listener.
///
/// ## Threading
///
/// The runtime calls ``join(listener:available:)`` and ``leave()`` on the driver thread. The
/// listener must be called on that same thread, either from inside `join` or from inside the
/// source's ``Source/poll(maxRecords:timeout:into:)`` (which is where librdkafka runs its
/// rebalance callbacks), never from another thread.
public protocol Membership: AnyObject {
    /// Joins the group. `available` lists every split of the job's sources, for memberships
    /// that assign them themselves.
    func join(listener: MembershipListener, available: [Split]) throws

    /// Leaves the group after the final commit.
    func leave() throws

    /// Whether the group has taken this worker's assignment away without an orderly revoke
    /// (its session expired) and the listener has not been told yet. Exactly-once workers check
    /// it before every commit and abort instead of committing work of splits they may no longer
    /// own.
    var assignmentLost: Bool { get }

    /// How long the group waits for this worker before giving its splits to others; a worker
    /// frozen longer than that (paused, swapped out) must assume it lost its splits.
    var sessionTimeout: Duration? { get }
}

extension Membership {
    /// `false`: static memberships never lose their splits.
    public var assignmentLost: Bool { false }

    /// `nil`: static memberships have no session.
    public var sessionTimeout: Duration? { nil }
}
