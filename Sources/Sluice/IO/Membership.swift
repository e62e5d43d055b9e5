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
}
