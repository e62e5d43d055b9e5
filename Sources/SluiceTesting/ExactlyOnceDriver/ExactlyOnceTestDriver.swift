import Sluice

/// Runs the workers of a job exactly once over a ``MemoryBroker``, in lock-step with the test:
/// checkpoints, crashes, restores and rebalances where the test says, no sleeps, the same
/// result on every run.
///
/// ```swift
/// let driver = ExactlyOnceTestDriver(jobName: "word-count") { env, runtime in
///     env.fromSource(try runtime.source(topics: ["sentences"]), deserializer: UTF8StringCodec())
///         // …
///         .sink(to: runtime.sink(topic: "word-counts")) { … }
/// }
/// let sentences = try driver.input("sentences", partitions: 3, serializer: UTF8StringCodec())
/// let counts = try driver.output("word-counts", deserializer: UTF8StringCodec())
/// let first = try driver.startWorker()
/// try sentences.pipe(value: "to be or not to be", timestamp: 1_000)
/// try driver.runRound()
/// try driver.checkpoint()
/// try driver.crash(first)           // its open transaction aborts; its splits go back to the group
/// try driver.startWorker()          // restores every task from the last checkpoint
/// try driver.startWorker()          // a second worker: the group moves half the splits to it
/// try driver.endInputs()
/// try driver.settle()
/// try counts.readCommittedValues()  // what a read_committed consumer reads
/// ```
///
/// A `StreamJob` runs on it as it stands with `SluiceJobTesting`: `ExactlyOnceTestDriver(running: job)`.
///
/// ## What runs
///
/// Each worker is the engine's own worker (`Job.run()`) on a ``MemoryBrokerRuntime`` of its
/// own, on a thread of its own: a member of the job's consumer group with a transactional
/// producer, exactly as a worker process on Kafka. The job definition is called once per
/// worker. Workers never run at the same time: each is parked before every poll until the
/// test lets it run one **round** (poll, process, act on rebalances, checkpoint when asked),
/// and the test waits until it is parked again.
///
/// The driver sets the configuration's `threads` to 1, its `clock` to a manual one, its
/// checkpoint interval to a year (checkpoints happen when the test asks, when a worker lets
/// splits go, and when it stops), restart delays to zero (their count stays) and status lines
/// off; the rest is the test's.
///
/// ## Inputs, outputs and time
///
/// ``input(_:partitions:serializer:)`` creates a topic and returns a handle whose pipes append
/// records at once, read by whichever worker owns the partition at its next round.
/// ``endInputs()`` ends the input topics: each partition ends once read, as a bounded input's
/// does, and its final watermark fires every window behind it. ``output(_:partitions:deserializer:)``
/// reads a topic as a read_committed consumer would. Processing time moves only with
/// ``advanceProcessingTime(by:)``.
///
/// ## Checkpoints, crashes and rebalances
///
/// - ``checkpoint()`` runs a round of every worker that ends in a checkpoint: one transaction
///   commits each worker's outputs, state and positions.
/// - ``crash(_:)`` kills a worker between rounds, as a SIGKILL: its open transaction aborts
///   (so nothing it did after its last checkpoint survives), and its session ends at once, so
///   the group gives its splits to the other workers, or to the next one started.
///   ``crashAtNextCommit(_:)`` kills it during its next commit instead.
/// - ``startWorker(_:)`` joins a new worker: it restores the tasks of every split the group
///   gives it from their last committed checkpoint. A second worker makes the group rebalance
///   as a cooperative one does: the splits it moves are revoked first (their owner checkpoints
///   and lets them go in its next round), then assigned to the new worker (which restores them
///   in its next round).
/// - ``expireSession(of:)`` takes a worker's splits away without a hand-over, as when its
///   session expires: it aborts and rewinds at its next round, then rejoins.
/// - ``settle(maxCycles:)`` runs rounds with a checkpoint each until nothing moves any more:
///   every record read, every window due fired, every result committed.
public final class ExactlyOnceTestDriver {
    /// The job's name: its group, and the prefix of its internal topics.
    public let jobName: String
    /// The broker the workers run on.
    public let broker: MemoryBroker
    private let definition: (StreamEnvironment, MemoryBrokerRuntime) throws -> Void
    private let configuration: JobConfiguration
    let clock: ManualClock
    private var inputs: [String] = []
    var running: [DriverWorker] = []
    private var started = 0
    private var closed = false

    /// A driver for the job `definition` builds; nothing runs until the first worker starts.
    ///
    /// - Parameters:
    ///   - jobName: the job's name.
    ///   - broker: the broker, new by default; give one with other ``MemoryBroker/ReadIsolation``
    ///     or ``MemoryBroker/OffsetVisibility``, or with injected faults.
    ///   - configuration: the job's configuration; see "What runs" for what the driver replaces.
    ///   - processingTime: processing time at the start, in milliseconds.
    ///   - definition: builds one worker's pipeline on the environment, reading and writing
    ///     through the worker's runtime (``MemoryBrokerRuntime/source(topics:ending:maxRecordsPerSplit:)``,
    ///     ``MemoryBrokerRuntime/sink(topic:)``).
    public init(jobName: String, broker: MemoryBroker = MemoryBroker(), configuration: JobConfiguration = JobConfiguration(),
                processingTime: Int64 = 0, job definition: @escaping (StreamEnvironment, MemoryBrokerRuntime) throws -> Void) {
        self.jobName = jobName
        self.broker = broker
        self.definition = definition
        clock = ManualClock(start: processingTime)
        var configuration = configuration
        configuration.threads = 1
        configuration.clock = clock
        configuration.checkpointInterval = .seconds(365 * 24 * 3_600)
        configuration.statusInterval = nil
        configuration.restartStrategy = switch configuration.restartStrategy {
        case .none: .none
        case .fixedDelay(_, let attempts), .exponentialBackoff(_, _, let attempts): .fixedDelay(delay: .zero, maxAttempts: attempts)
        }
        self.configuration = configuration
    }

    deinit {
        for worker in running where !worker.lockstep.hasFinished {
            worker.job.stop()
            _ = try? worker.lockstep.finish()
        }
    }

    /// The current processing time in milliseconds.
    public var processingTime: Int64 { clock.now() }

    /// The job's consumer group: who owns which split, the committed offsets.
    public var group: MemoryConsumerGroup { broker.group(jobName) }

    /// The running workers' names, in start order.
    public var workers: [String] { running.map(\.id) }

    // MARK: Topics

    /// Creates an input topic (or returns the one created) whose values `serializer` encodes.
    public func input<S: Serializer>(_ topic: String, partitions: Int = 1, serializer: S) throws -> BrokerInputTopic<S.Value> {
        guard partitions > 0 else { throw TestDriverError.noSuchPartition(topic: topic, partition: 0, partitions: partitions) }
        try broker.createTopic(topic, partitions: partitions)
        if !inputs.contains(topic) { inputs.append(topic) }
        return BrokerInputTopic(name: topic, partitions: partitions, broker: broker, serializer: serializer) { [clock] in clock.now() }
    }

    /// Creates an output topic (or returns the one created), its values decoded with
    /// `deserializer`. Create every topic the job writes before its first worker starts.
    public func output<D: Deserializer>(_ topic: String, partitions: Int = 1, deserializer: D) throws -> BrokerOutputTopic<D.Value> {
        try broker.createTopic(topic, partitions: partitions)
        return BrokerOutputTopic(name: topic, broker: broker, deserializer: deserializer)
    }

    /// Ends every input topic (``BrokerInputTopic/end()``); the workers see it at their next
    /// rounds.
    public func endInputs() throws {
        for topic in inputs { try broker.endTopic(topic) }
    }

    // MARK: Workers

    /// Starts a worker named `id` (`worker-<n>` by default) and returns its name. It joins the
    /// job's group, restores the tasks of the splits it is assigned from their last committed
    /// checkpoint, and is parked before its first round; splits other workers must let go
    /// first come in later rounds.
    @discardableResult
    public func startWorker(_ id: String? = nil) throws -> String {
        guard !closed else { throw ExactlyOnceTestDriverError.closed }
        let id = id ?? "worker-\(started)"
        guard !running.contains(where: { $0.id == id }) else { throw ExactlyOnceTestDriverError.workerRunning(id) }
        started += 1
        let runtime = MemoryBrokerRuntime(broker: broker, workerID: id, ending: .whenTopicEnds)
        let lockstep = Lockstep()
        runtime.pollGate = lockstep
        let env = StreamEnvironment(jobName: jobName, runtime: runtime, configuration: configuration)
        try definition(env, runtime)
        let job = try env.build()
        do {
            try lockstep.start(job)
        } catch {
            throw ExactlyOnceTestDriverError.workerFailed(worker: id, underlying: error)
        }
        running.append(DriverWorker(id: id, runtime: runtime, job: job, lockstep: lockstep))
        return id
    }

    /// Stops a worker gracefully, as SIGTERM does: it finishes its round, checkpoints, lets its
    /// splits go and leaves the group, which gives them to the others at their next rounds.
    /// Returns its metrics.
    @discardableResult
    public func stopWorker(_ id: String) throws -> JobMetrics? {
        let worker = try self.worker(id)
        running.removeAll { $0 === worker }
        worker.job.stop()
        do {
            return try worker.lockstep.finish()
        } catch {
            throw ExactlyOnceTestDriverError.workerFailed(worker: id, underlying: error)
        }
    }

    /// Stops every worker gracefully, in start order, and returns their metrics by name. The
    /// driver runs nothing afterwards.
    @discardableResult
    public func close() throws -> [String: JobMetrics] {
        closed = true
        var metrics: [String: JobMetrics] = [:]
        while let worker = running.first {
            metrics[worker.id] = try stopWorker(worker.id)
        }
        return metrics
    }

    func worker(_ id: String) throws -> DriverWorker {
        guard let worker = running.first(where: { $0.id == id }) else {
            throw ExactlyOnceTestDriverError.noSuchWorker(id, running: workers)
        }
        return worker
    }
}
