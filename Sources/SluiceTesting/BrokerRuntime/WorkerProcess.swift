import Synchronization

/// Whether the process of a worker on a ``MemoryBrokerRuntime`` is alive: once it crashed,
/// nothing its clients do reaches the broker.
final class WorkerProcess: Sendable {
    let worker: String
    private let crashed = Atomic<Bool>(false)

    init(worker: String) {
        self.worker = worker
    }

    var hasCrashed: Bool { crashed.load(ordering: .acquiring) }

    func crash() {
        crashed.store(true, ordering: .releasing)
    }

    /// Throws ``MemoryBrokerError/workerCrashed(worker:)`` once the process crashed.
    func checkAlive() throws {
        if hasCrashed { throw MemoryBrokerError.workerCrashed(worker: worker) }
    }
}
