/// What runs a job's workers: their group membership, commit point, exchanges and checkpoint
/// log, all from one object so that none can be forgotten or mismatched.
///
/// ``LocalRuntime`` runs jobs in one process; SluiceKafka's `KafkaRuntime` runs them as a
/// consumer group with one transactional producer per worker.
///
/// The runtime calls ``openWorker(plan:)`` once at the start of ``Job/run()``, on the driver
/// thread, and closes what it returned when the run ends.
public protocol JobRuntime: AnyObject {
    /// The job's delivery guarantee.
    var guarantee: DeliveryGuarantee { get }

    /// Connects this worker for `plan`'s job.
    func openWorker(plan: JobPlan) throws -> WorkerServices
}

/// What one worker of a job uses to join its group, commit, exchange records and checkpoint.
public struct WorkerServices {
    /// Which splits this worker owns.
    public var membership: any Membership
    /// Where positions (and for exactly-once, outputs and state) are committed.
    public var commitPoint: any CommitPoint
    /// Carries distributed `keyBy` exchanges over repartition topics.
    public var exchangeTransport: (any DistributedExchangeTransport)?
    /// Where task checkpoints are written, for exactly-once jobs.
    public var checkpointLog: (any CheckpointLog)?
    /// Names this worker in checkpoints and messages.
    public var workerID: String
    /// Releases the worker's connections; called once after the final commit.
    public var close: () -> Void

    /// The services of one worker.
    public init(
        membership: any Membership, commitPoint: any CommitPoint, exchangeTransport: (any DistributedExchangeTransport)? = nil,
        checkpointLog: (any CheckpointLog)? = nil, workerID: String, close: @escaping () -> Void = {}
    ) {
        self.membership = membership
        self.commitPoint = commitPoint
        self.exchangeTransport = exchangeTransport
        self.checkpointLog = checkpointLog
        self.workerID = workerID
        self.close = close
    }
}

/// A source or sink that only works under the runtime it was made by (for Kafka: the
/// runtime's consumer and transactional producer). Planning fails when the environment runs
/// another runtime, naming the fix.
public protocol RuntimeBound: AnyObject {
    /// The runtime this connector belongs to.
    var runtime: any JobRuntime { get }
}
