import Foundation
import Logging
import ServiceLifecycle
import Sluice
import Synchronization

/// A built ``Job`` as a swift-service-lifecycle `Service`: put it in a `ServiceGroup`, next to
/// an HTTP server or anything else the process runs, and the group's graceful shutdown (a
/// SIGTERM, say) stops the job the way ``Job/stop()`` does: it finishes its round, makes a
/// final checkpoint (or commit) and leaves its consumer group before ``run()`` returns.
///
/// ```swift
/// let job = try environment.build()
/// let group = ServiceGroup(configuration: .init(
///     services: [.init(service: JobService(job: job, name: "word-count")), .init(service: httpServer)],
///     gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
/// try await group.run()
/// ```
///
/// The job's blocking ``Job/run()`` runs on a thread of its own, never on a thread of Swift's
/// cooperative pool. Cancelling the task that runs the service stops the job gracefully too
/// (there is no faster safe stop: an abandoned transaction would only be aborted later).
/// A job that ends by itself (a bounded run) makes ``run()`` return; one that fails makes it
/// throw the job's error.
public final class JobService: Service, Sendable {
    /// The name of the job's thread and of the service in the group's log lines.
    public let name: String
    /// The running job's stop signal.
    public let stopSignal: StopSignal
    private let job: UnsafeJob
    private let onStop: (@Sendable () -> Void)?
    private let stopRequested = Atomic<Bool>(false)
    private let outcome = Mutex<JobMetrics?>(nil)

    /// Wraps `job`, which must not have run yet.
    /// - Parameters:
    ///   - name: names the job's thread, e.g. the worker id.
    ///   - onStopRequested: told once, on the thread of the group or the canceller, when a
    ///     graceful shutdown or a cancellation first asks the job to stop (before the job sees it).
    public init(job: Job, name: String, onStopRequested: (@Sendable () -> Void)? = nil) {
        self.job = UnsafeJob(job)
        self.name = name
        self.stopSignal = job.stopSignal
        self.onStop = onStopRequested
    }

    /// The job's counts, once ``run()`` returned without an error.
    public var metrics: JobMetrics? { outcome.withLock { $0 } }

    /// Whether a graceful shutdown or a cancellation asked the job to stop.
    public var wasStopped: Bool { stopRequested.load(ordering: .relaxed) }

    /// Runs the job on its own thread until it ends, fails, or the group shuts down.
    public func run() async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await runOnThread()
            } onGracefulShutdown: {
                self.requestStop()
            }
        } onCancel: {
            self.requestStop()
        }
    }

    /// Asks the job to stop after its current round, as a graceful shutdown does.
    public func requestStop() {
        guard !stopRequested.exchange(true, ordering: .acquiringAndReleasing) else { return }
        onStop?()
        stopSignal.stop()
    }

    private func runOnThread() async throws {
        let metrics: JobMetrics = try await withCheckedThrowingContinuation { continuation in
            let job = self.job
            let thread = Thread {
                continuation.resume(with: Result { try job.value.run() })
            }
            thread.name = name
            thread.start()
        }
        outcome.withLock { $0 = metrics }
    }
}

/// Carries the non-`Sendable` ``Job`` to the one thread that runs it; no other thread touches
/// it (the stop signal, which is `Sendable`, is read once, at ``JobService/init(job:name:onStopRequested:)``).
private final class UnsafeJob: @unchecked Sendable {
    let value: Job

    init(_ value: Job) {
        self.value = value
    }
}
