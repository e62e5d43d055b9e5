/// Rounds, checkpoints and time: the test decides when each worker moves.
extension ExactlyOnceTestDriver {
    /// Runs one round of every running worker, in start order.
    public func runRound() throws {
        for worker in running { try runRound(of: worker) }
    }

    /// Runs `count` rounds of every running worker.
    public func runRounds(_ count: Int) throws {
        for _ in 0..<count { try runRound() }
    }

    /// Runs one round of worker `id`.
    public func runRound(_ id: String) throws {
        try runRound(of: worker(id))
    }

    /// Runs one round of every running worker, in start order, each ending in a checkpoint.
    public func checkpoint() throws {
        for worker in running {
            worker.job.requestCheckpoint()
            try runRound(of: worker)
        }
    }

    /// Runs one round of worker `id` that ends in a checkpoint.
    public func checkpoint(_ id: String) throws {
        let worker = try worker(id)
        worker.job.requestCheckpoint()
        try runRound(of: worker)
    }

    /// Moves processing time forward by `duration` and runs a round of every worker, which
    /// fires every processing-time timer due by then.
    public func advanceProcessingTime(by duration: Duration) throws {
        let (seconds, attoseconds) = duration.components
        precondition(seconds >= 0 && attoseconds >= 0, "processing time never goes back")
        clock.set(processingTime + seconds * 1_000 + attoseconds / 1_000_000_000_000_000)
        try runRound()
    }

    /// Runs rounds with a checkpoint each (``checkpoint()``) until one passes in which no worker
    /// read a record and nothing changed on the broker: every record piped was read, every
    /// result it causes was written and committed, every rebalance finished. Throws
    /// ``ExactlyOnceTestDriverError/didNotSettle(cycles:)`` after `maxCycles` rounds.
    public func settle(maxCycles: Int = 1_000) throws {
        for _ in 0..<maxCycles {
            let before = progress
            try checkpoint()
            if progress == before { return }
        }
        throw ExactlyOnceTestDriverError.didNotSettle(cycles: maxCycles)
    }

    /// What moved so far: the broker's revision, and records and ends the workers read.
    private var progress: [Int] {
        [broker.revision, running.count] + running.map(\.delivered)
    }

    /// Lets the worker run one round and waits until it is parked again. A worker that crashed
    /// as the test asked is gone afterwards; one that failed is too, and its failure thrown.
    func runRound(of worker: DriverWorker) throws {
        do {
            try worker.lockstep.runRound()
            if worker.lockstep.hasFinished { running.removeAll { $0 === worker } }
        } catch {
            running.removeAll { $0 === worker }
            guard worker.runtime.hasCrashed else {
                throw ExactlyOnceTestDriverError.workerFailed(worker: worker.id, underlying: error)
            }
        }
    }
}
