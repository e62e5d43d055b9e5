/// Receives a ``Membership``'s assignment changes; implemented by the runtime.
///
/// All calls happen on the driver thread, between two batches, and return only once the
/// runtime has acted: after `splitsRevoked` returns, the revoked splits' results are flushed and
/// their positions committed, so the membership may hand them to another worker.
public protocol MembershipListener: AnyObject {
    /// This worker now owns `splits`: the runtime creates their tasks and assigns them to the source.
    func splitsAssigned(_ splits: [Split]) throws

    /// This worker is about to lose `splits`: the runtime flushes sinks, commits the splits'
    /// positions, drops their tasks and revokes them from the source.
    func splitsRevoked(_ splits: [Split]) throws

    /// This worker lost `splits` without an orderly hand-over (its group session expired):
    /// another worker may already own them, so the runtime drops their tasks and revokes them
    /// from the source **without** committing their positions; the new owner re-reads from the
    /// last commit (at-least-once).
    func splitsLost(_ splits: [Split]) throws
}
