import Sluice

/// One worker an ``ExactlyOnceTestDriver`` runs: its runtime (its process), its job, and the
/// lock-step that parks it between rounds.
final class DriverWorker {
    let id: String
    let runtime: MemoryBrokerRuntime
    let job: Job
    let lockstep: Lockstep

    init(id: String, runtime: MemoryBrokerRuntime, job: Job, lockstep: Lockstep) {
        self.id = id
        self.runtime = runtime
        self.job = job
        self.lockstep = lockstep
    }

    /// Records handed out and splits ended so far: a round that changes it did something.
    var delivered: Int { runtime.madeSource?.delivered ?? 0 }
}
