import Synchronization

/// A checkpoint asked for from outside the worker's interval (``Job/requestCheckpoint()``); safe
/// to set from any thread. The worker clears it once a round ends in that checkpoint.
final class CheckpointRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    /// Asks for a checkpoint at the end of the current round.
    func request() {
        requested.store(true, ordering: .releasing)
    }

    /// Whether a checkpoint was asked for and not made yet.
    var isRequested: Bool { requested.load(ordering: .acquiring) }

    /// The requested checkpoint is under way.
    func clear() {
        requested.store(false, ordering: .releasing)
    }
}
