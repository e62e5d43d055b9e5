import Foundation
import Sluice

/// Runs a ``Job`` on a thread of its own in lock-step with the test: the job runs one round
/// only when the test asks, and the test waits until that round is over. The two threads never
/// run at once, so a test sees the same thing on every run: no sleeps, no timeouts, no races.
///
/// The job's driver loop polls every source once per round; the first poll of a new round (a
/// source polled a second time) is where the job parks until the next ``runRound()``.
final class Lockstep: @unchecked Sendable {
    private enum Phase {
        case idle, running, parked, finished
    }

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var phase = Phase.idle
    private var polledThisRound = Set<ObjectIdentifier>()
    private var failure: (any Error)?
    private var metrics: JobMetrics?

    /// Whether the job has stopped: ended, failed, or closed.
    var hasFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return phase == .finished
    }

    /// Called by each test source as its poll begins, on the job thread: parks the job at the
    /// start of every round until the test releases it.
    func sourceWillPoll(_ source: AnyObject) {
        let id = ObjectIdentifier(source)
        condition.lock()
        defer { condition.unlock() }
        if polledThisRound.isEmpty || polledThisRound.contains(id) {
            polledThisRound.removeAll()
            phase = .parked
            condition.broadcast()
            while phase == .parked { condition.wait() }
        }
        polledThisRound.insert(id)
    }

    /// Starts `job` on its own thread and waits until it is parked before its first round, or
    /// rethrows why it could not get there.
    func start(_ job: Job) throws {
        let box = JobBox(job: job)
        condition.lock()
        phase = .running
        condition.unlock()
        let thread = Thread { [self] in
            var result: Result<JobMetrics, any Error>
            do {
                result = .success(try box.job.run())
            } catch {
                result = .failure(error)
            }
            condition.lock()
            switch result {
            case .success(let value): metrics = value
            case .failure(let error): failure = error
            }
            phase = .finished
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "sluice-test-job"
        thread.stackSize = 8 << 20
        thread.start()
        try waitWhileRunning()
    }

    /// Lets the parked job run one round and waits until it is parked again; rethrows the job's
    /// failure when the round ended it.
    func runRound() throws {
        condition.lock()
        guard phase == .parked else {
            let reason = failure.map { "it failed: \($0)" } ?? "it has ended"
            condition.unlock()
            throw TestDriverError.jobNotRunning(reason)
        }
        phase = .running
        condition.broadcast()
        condition.unlock()
        try waitWhileRunning()
    }

    /// Lets the parked job finish its stop (after `job.stop()`), waits for it and returns its
    /// metrics; rethrows a failure the stop met.
    func finish() throws -> JobMetrics? {
        condition.lock()
        if phase == .parked {
            phase = .running
            condition.broadcast()
        }
        while phase == .running { condition.wait() }
        defer { condition.unlock() }
        if let failure { throw failure }
        return metrics
    }

    private func waitWhileRunning() throws {
        condition.lock()
        defer { condition.unlock() }
        while phase == .running { condition.wait() }
        if phase == .finished, let failure { throw failure }
    }
}

/// Carries the job to its thread; ``Lockstep`` makes sure only one thread uses it at a time.
private struct JobBox: @unchecked Sendable {
    let job: Job
}
