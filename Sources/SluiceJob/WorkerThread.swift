import Foundation
import Sluice

/// One worker's ``Job`` running on a thread of its own.
final class WorkerThread: @unchecked Sendable {
    private let job: Job
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<JobMetrics, any Error>?

    /// Starts `job`; `finished` is called on the worker's thread when it ends, with whether it failed.
    init(job: Job, name: String, finished: @escaping @Sendable (_ failed: Bool) -> Void) {
        self.job = job
        let thread = Thread { [self] in
            let result = Result { try self.job.run() }
            outcome = result
            done.signal()
            if case .failure = result { finished(true) } else { finished(false) }
        }
        thread.name = name
        thread.start()
    }

    /// The worker's stop signal.
    var stopSignal: StopSignal { job.stopSignal }

    /// Waits for the job to end and returns how it ended.
    func wait() -> Result<JobMetrics, any Error> {
        done.wait()
        return outcome!
    }
}
