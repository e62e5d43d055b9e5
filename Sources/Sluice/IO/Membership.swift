/// Decides which splits this worker owns, and reports each change of that ownership.
///
/// A membership only reports; the worker's loop acts. A Kafka consumer group's rebalance
/// callbacks (which librdkafka runs inside a poll) record the change and return at once; a
/// static assignment records one change when the worker joins. Between two polls the loop takes
/// the changes with ``takeChanges()`` and, for each:
/// - **assigned**: builds the splits' tasks, restoring each from its committed checkpoint, and
///   only then tells the source where to start reading them (``Source/assign(_:)``);
/// - **revoked**: checkpoints (exactly-once) or commits (at-least-once) what the splits' tasks
///   did, drops the tasks, then lets the splits go (``Source/revoke(_:)``), which is when a group
///   hands them to another member;
/// - **lost**: aborts the open transaction (another member may own the splits already), drops
///   their tasks, rewinds the others to their last committed checkpoint, and lets them go.
///
/// ## Threading
///
/// The worker calls every method on its driver thread. Changes may be recorded on that thread
/// from inside the source's poll (where librdkafka runs its callbacks) or during ``join(available:)``.
public protocol Membership: AnyObject {
    /// Joins the group. `available` lists every split of the job's sources, for memberships
    /// that assign them themselves.
    func join(available: [Split]) throws

    /// The changes of this worker's assignment recorded since the last call, oldest first. A
    /// membership may complete a change that concerns no split of this worker right here.
    func takeChanges() throws -> [MembershipChange]

    /// Leaves the group after the final commit.
    func leave() throws

    /// Whether the group has taken this worker's assignment away without an orderly revoke
    /// (its session expired), whether or not the change has been taken yet. Exactly-once
    /// workers check it before every commit and abort instead of committing work of splits they
    /// may no longer own.
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
