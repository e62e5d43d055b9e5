import Dispatch
import Logging
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs workers' ``JobService``s in one `ServiceGroup` from synchronous code (a command's
/// `run`, a worker process), blocking the calling thread until every job ended.
///
/// SIGTERM and SIGINT shut the group down gracefully: every job finishes its round, makes a
/// final checkpoint and leaves its group. A job that ends by itself (a bounded run) leaves the
/// others running; a job that fails stops the others the same graceful way (its task group
/// cancels them), and ``run(_:logger:)`` then throws its error. While the group runs, both signals' default action (ending the
/// process at once, before the final checkpoint) is set aside; it is restored when the group
/// has ended, so a signal after that ends the process as usual.
public enum JobServiceGroup {
    /// The signals that stop the jobs gracefully.
    public static let shutdownSignals: [Int32] = [SIGTERM, SIGINT]

    /// Runs `services` until all ended; throws the first job's failure.
    ///
    /// Call it from a thread of your own (the main thread, a `Thread`), never from a thread of
    /// Swift's cooperative pool: it waits for the group by blocking.
    public static func run(_ services: [JobService], logger: Logger) throws {
        // One service for all workers: a graceful shutdown reaches every job at once (a group
        // of several services would stop them one after another, each leave handing its
        // partitions to workers about to leave too).
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [ServiceGroupConfiguration.ServiceConfiguration(
                service: Workers(services: services), successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        // Dispatch's signal sources see the signals, but the default action would end the
        // process first on a thread that has not blocked them (librdkafka's, the job's).
        for number in shutdownSignals { signal(number, SIG_IGN) }
        defer { for number in shutdownSignals { signal(number, SIG_DFL) } }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await group.run()
            } catch {
                outcome.failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let failure = outcome.failure.withLock({ $0 }) { throw failure }
    }

    /// Every worker's service run concurrently as one service; the graceful shutdown handlers
    /// of all of them fire together, as the group's shutdown reaches the child tasks.
    private struct Workers: Service {
        let services: [JobService]

        func run() async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for service in services {
                    group.addTask { try await service.run() }
                }
                // The first failure leaves this body, which cancels the others (stopping them
                // gracefully) and waits for them before it is rethrown.
                while try await group.next() != nil {}
            }
        }
    }

    /// What the group's task reports to the waiting thread.
    private final class Outcome: Sendable {
        let failure = Mutex<(any Error)?>(nil)
    }
}
