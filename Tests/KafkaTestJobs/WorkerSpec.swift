import Foundation

/// What a worker process of a broker-backed test runs (`sluice-test-worker`, given this as
/// JSON), and what in-process runs of the same jobs are built from.
public struct WorkerSpec: Codable, Sendable {
    /// The brokers.
    public var bootstrap: String
    /// The input topic.
    public var input: String
    /// The output topic.
    public var output: String
    /// The job's name (its consumer group and the prefix of its internal topics).
    public var job: String
    /// The worker's id (its transactional id is `<job>-<id>`).
    public var workerID: String
    /// `<event>:<n>`: the worker SIGKILLs itself at the n-th event of that name
    /// (`pieces`, `manifests`, `committed`), to crash inside a checkpoint.
    public var crashAt: String?
    /// The job's checkpoint interval.
    public var checkpointIntervalMillis: Int
    /// Free-form parameters of the job.
    public var parameters: [String: String]
    /// The job the worker runs.
    public var pipeline: WorkerPipeline
    /// Whether the worker counts the records its stages process and prints the counts every
    /// 100 ms (``ProgressCounter``).
    public var reportsProgress: Bool

    /// Creates a spec; by default of the exactly-once tests' keyed window job (``PurchaseJob``).
    public init(
        bootstrap: String, input: String, output: String, job: String, workerID: String, crashAt: String? = nil,
        checkpointIntervalMillis: Int = 300, parameters: [String: String] = [:], pipeline: WorkerPipeline = .purchaseTotals,
        reportsProgress: Bool = false
    ) {
        self.bootstrap = bootstrap
        self.input = input
        self.output = output
        self.job = job
        self.workerID = workerID
        self.crashAt = crashAt
        self.checkpointIntervalMillis = checkpointIntervalMillis
        self.parameters = parameters
        self.pipeline = pipeline
        self.reportsProgress = reportsProgress
    }
}
