/// Runs a job in this process: every split assigned at once, positions committed in memory.
/// The runtime of jobs over in-process sources (collections, generators) and of tests.
public final class LocalRuntime: JobRuntime {
    private let membership: any Membership
    /// Where the job's positions were committed; read it after the run.
    public let commitPoint: LocalCommitPoint

    /// A runtime owning `splits` (all by default), committing into a new ``LocalCommitPoint``.
    public init(splits: [Split]? = nil) {
        membership = StaticMembership(splits: splits)
        commitPoint = LocalCommitPoint()
    }

    /// At-least-once: nothing outlives the process, so there is nothing to recover.
    public var guarantee: DeliveryGuarantee { .atLeastOnce }

    /// The static membership and the in-memory commit point.
    public func openWorker(plan: JobPlan) throws -> WorkerServices {
        WorkerServices(membership: membership, commitPoint: commitPoint, workerID: "local")
    }
}
