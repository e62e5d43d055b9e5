/// Receives a ``Membership``'s assignment changes; implemented by the runtime.
///
/// Both calls happen on the driver thread, between two batches, and return only once the
/// runtime has acted: after `splitsRevoked` returns, the revoked splits' results are flushed and
/// their positions committed, so the membership may hand them to another worker.
public protocol MembershipListener: AnyObject {
    /// This worker now owns `splits`: the runtime creates their tasks and assigns them to the source.
    func splitsAssigned(_ splits: [Split]) throws

    /// This worker is about to lose `splits`: the runtime flushes sinks, commits the splits'
    /// positions, drops their tasks and revokes them from the source.
    func splitsRevoked(_ splits: [Split]) throws
}
