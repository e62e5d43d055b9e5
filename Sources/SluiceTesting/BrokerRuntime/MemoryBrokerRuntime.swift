import Sluice
import Synchronization

/// Runs one worker of a job on a ``MemoryBroker``, exactly once, as `KafkaRuntime` runs one on
/// Kafka: make one per worker, with a name of its own.
///
/// ```swift
/// let runtime = MemoryBrokerRuntime(broker: broker, workerID: "worker-0")
/// let env = StreamEnvironment(jobName: "word-count", runtime: runtime)
/// env.fromSource(try runtime.source(topics: ["sentences"]), deserializer: UTF8StringCodec())
///     // …
///     .sink(to: runtime.sink(topic: "word-counts")) { … }
/// ```
///
/// Each worker gets what a Kafka worker gets:
/// - **one consumer** (its ``MemoryBrokerSource``), a member named ``workerID`` of the consumer
///   group named after the job, reading the job's input and repartition topics as the group
///   assigns them;
/// - **one transactional producer** with id `<job>-<workerID>`, through which its sinks,
///   repartition writes and checkpoint records go: each checkpoint commits outputs, positions
///   and task state in one transaction. A worker started again with the same id fences the old
///   one and aborts the transaction it left open;
/// - the job's **checkpoint and repartition topics**, created when missing.
///
/// ``crash()`` kills the worker's process: its open transaction aborts, its session in the
/// group ends (its splits go to the other members, or wait for a new one), and nothing it does
/// afterwards reaches the broker. ``ExactlyOnceTestDriver`` runs workers of a job this way.
public final class MemoryBrokerRuntime: JobRuntime, @unchecked Sendable {
    /// The broker.
    public let broker: MemoryBroker
    /// This worker's name: its group member id, and its transactional id's suffix.
    public let workerID: String
    /// Where the sources it makes end their input splits, unless told otherwise.
    public let ending: MemorySourceEnd
    let process: WorkerProcess
    /// Parks the worker before each poll when a test driver runs it in lock-step.
    var pollGate: Lockstep?
    private let state = Mutex(State())

    private struct State {
        var source: MemoryBrokerSource?
        var producer: MemoryTransactionalProducer?
        var group: MemoryConsumerGroup?
    }

    /// A runtime for one worker named `workerID` on `broker`, whose sources end as `ending` says.
    public init(broker: MemoryBroker, workerID: String = "memory", ending: MemorySourceEnd = .never) {
        self.broker = broker
        self.workerID = workerID
        self.ending = ending
        process = WorkerProcess(worker: workerID)
    }

    /// Exactly-once: the point of this runtime.
    public var guarantee: DeliveryGuarantee { .exactlyOnce }

    /// A source reading `topics` through this worker's consumer: the splits its group assigns,
    /// each from its checkpoint's position, else the group's committed offset, else the
    /// earliest. A job reads all its topics through one source; a topic the broker does not
    /// have is an error naming it when the job is planned.
    ///
    /// - Parameters:
    ///   - topics: the job's input topics.
    ///   - ending: where input splits end; the runtime's ``ending`` by default.
    ///   - maxRecordsPerSplit: records handed out per split and poll, to spread work over more
    ///     rounds and checkpoints; the job's batch size alone by default.
    public func source(topics: [String], ending: MemorySourceEnd? = nil, maxRecordsPerSplit: Int? = nil) throws -> MemoryBrokerSource {
        try state.withLock { state in
            guard state.source == nil else { throw MemoryBrokerError.secondSource(worker: workerID) }
            let source = MemoryBrokerSource(
                runtime: self, topics: topics, ending: ending ?? self.ending, maxRecordsPerSplit: maxRecordsPerSplit)
            state.source = source
            return source
        }
    }

    /// A sink writing to `topic` (or each record's own topic) in this worker's transactions.
    public func sink(topic: String? = nil) -> MemoryBrokerSink {
        MemoryBrokerSink(topic: topic) { [self] in try workerProducer() }
    }

    /// The source the job reads through, once ``source(topics:ending:maxRecordsPerSplit:)`` made it.
    var madeSource: MemoryBrokerSource? {
        state.withLock { $0.source }
    }

    /// The transactional id of the open worker's producer, `<job>-<workerID>`.
    public var transactionalID: String? {
        state.withLock { $0.producer?.transactionalID }
    }

    /// Whether ``crash()`` killed the worker (or an injected crash did).
    public var hasCrashed: Bool { process.hasCrashed }

    /// Kills the worker's process, as a SIGKILL does: the broker aborts its open transaction and
    /// fences its producer, and its session in the group ends at once (the test stands for the
    /// time a session timeout takes), so its splits go to the other members or wait for a new
    /// one. Nothing the worker does afterwards reaches the broker; its next poll stops it with
    /// ``MemoryBrokerError/workerCrashed(worker:)``.
    public func crash() {
        process.crash()
        let (producer, group) = state.withLock { ($0.producer, $0.group) }
        producer?.abandon()
        group?.leave(workerID)
    }

    /// Opens this worker for `plan`'s job: its producer (fencing an older instance of it), its
    /// consumer in the job's group, the commit point, the exchange transport and the checkpoint
    /// log.
    ///
    /// A job that reads no topic of the broker but sources that live outside the process (files)
    /// joins the group through a source of no topic, which only holds the membership for those
    /// sources' splits, as `KafkaRuntime` does.
    public func openWorker(plan: JobPlan) throws -> WorkerServices {
        try process.checkAlive()
        let member = madeSource ?? (plan.mode == .distributed
            ? MemoryBrokerSource(runtime: self, topics: [], ending: ending, maxRecordsPerSplit: nil)
            : nil)
        guard let source = member else { throw MemoryBrokerError.noSource(worker: workerID) }
        let producer = broker.producer(transactionalID: "\(plan.jobName)-\(workerID)")
        let group = broker.group(plan.jobName)
        state.withLock { state in
            state.producer = producer
            state.group = group
        }
        source.attach(group: group, member: workerID)
        let commitPoint = MemoryBrokerCommitPoint(
            producer: producer, group: group, member: workerID, process: process, crashed: { [self] in crash() })
        return WorkerServices(
            membership: source, commitPoint: commitPoint, exchangeTransport: MemoryBrokerTransport(producer: producer, process: process),
            checkpointLog: MemoryBrokerCheckpointLog(producer: producer, process: process), workerID: workerID)
    }

    private func workerProducer() throws -> MemoryTransactionalProducer {
        try process.checkAlive()
        guard let producer = state.withLock({ $0.producer }) else {
            throw JobError.unsupported("a memory broker sink writes only while its runtime's worker runs")
        }
        return producer
    }
}
