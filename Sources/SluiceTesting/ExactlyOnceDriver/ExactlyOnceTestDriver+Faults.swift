/// Faults the test injects into a worker: a crash between rounds or during a commit, a
/// session that expires.
extension ExactlyOnceTestDriver {
    /// Kills worker `id` between two rounds, as a SIGKILL (``MemoryBrokerRuntime/crash()``): the
    /// broker aborts its open transaction, so nothing it did since its last checkpoint survives,
    /// and its session ends at once, so the group gives its splits to the other workers (at
    /// their next rounds) or to the next one started.
    public func crash(_ id: String) throws {
        let worker = try worker(id)
        worker.runtime.crash()
        // The parked thread wakes in its poll, finds its process gone and unwinds.
        try runRound(of: worker)
    }

    /// Makes worker `id` crash during its next commit (a checkpoint's, or the short one that
    /// announces it): the transaction aborts and the worker is gone, as if killed mid-commit.
    /// Run rounds or ``checkpoint()`` to get there.
    public func crashAtNextCommit(_ id: String) throws {
        guard let transactionalID = try worker(id).runtime.transactionalID else { return }
        broker.crashAtNextCommit(of: transactionalID)
    }

    /// Expires worker `id`'s session: the group takes its splits away without a hand-over and
    /// gives them to the others. At its next round the worker aborts its open transaction (the
    /// work on those splits), rewinds its other tasks to their last checkpoint, and rejoins.
    public func expireSession(of id: String) throws {
        _ = try worker(id)
        group.expireSession(of: id)
    }
}
