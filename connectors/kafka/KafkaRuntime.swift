import Foundation
import Logging
import RdKafka
import Sluice
import Synchronization

/// Runs a job on Kafka: one object that supplies everything a worker needs and makes the job's
/// Kafka sources and sinks.
///
/// ```swift
/// let kafka = try KafkaRuntime(bootstrapServers: "127.0.0.1:9092", guarantee: .exactlyOnce)
/// let env = StreamEnvironment(jobName: "word-count", runtime: kafka)
/// env.fromSource(try kafka.source(topics: ["sentences"]), deserializer: UTF8StringCodec())
///     // …
///     .sink(to: kafka.sink(topic: "word-counts")) { … }
/// try env.execute()
/// ```
///
/// Each worker (a ``Sluice/Job/run()``) gets:
/// - **one consumer**, a member of the consumer group named after the job, reading the job's
///   input topics and its repartition topics (cooperative-sticky assignment);
/// - **one producer**, through which the job's sinks, repartition writes, dead letters and
///   checkpoint records all go. Exactly-once makes it transactional, with `transactional.id`
///   `<job>-<workerID>`: each checkpoint commits outputs, input positions and task state in one
///   transaction, with the consumer's group metadata (KIP-447);
/// - the job's **checkpoint topics** (`<job>-<stage>-checkpoints`, compacted) and **repartition
///   topics** (`<job>-<stage>-repartition`), created when missing.
///
/// ## Worker ids
///
/// The worker id names the worker to the brokers: its transactional id is `<job>-<workerID>`
/// and, as a static member of the group (``GroupMembership/static``, the default), its
/// `group.instance.id` is `<workerID>`. It must be stable across restarts of a worker, so that
/// a restarted worker fences its crashed predecessor and aborts the transaction it left open
/// (some brokers never time such a transaction out, and a read_committed reader waits behind
/// it), and takes its partitions back at once instead of waiting for its old session to
/// expire. It must also differ between workers of one job that run at the same time: of two
/// live workers with one id, the one that started last fences the other, which stops with
/// ``WorkerFencedError``. The default is the host name; give every worker process on a host
/// its own ``workerID``.
///
/// ## Stopping: leave or restart
///
/// A static member that closes stays in the group until its session expires (KIP-345), so
/// that a restart with its id finds its partitions waiting. When the job stops, the worker
/// therefore chooses: by default (``leavesGroupOnStop``) it leaves the group, and the other
/// workers take its partitions at once, as a scale-down wants; with ``leavesGroupOnStop`` set
/// to `false` before the stop, it keeps its place for the session timeout, as a restart with
/// the same id wants (the others go on without its partitions meanwhile).
public final class KafkaRuntime: JobRuntime, @unchecked Sendable {
    /// `bootstrap.servers`.
    public let bootstrapServers: String
    /// The job's delivery guarantee.
    public let guarantee: DeliveryGuarantee
    /// Names this worker: its transactional id is `<job>-<workerID>`.
    public let workerID: String
    /// The group consumer's settings.
    public let consumer: ConsumerOptions
    /// The producer's settings.
    public let producer: ProducerOptions
    /// librdkafka properties of every client of the worker (SASL, SSL).
    public let properties: [String: String]
    private let topicConfig: [String: String]
    private let logger: Logger
    private let admin: KafkaAdmin
    private let state = Mutex<State>(State())

    private struct State {
        /// Weak: the source refers to its runtime, and a cycle would keep every client of the
        /// worker (and librdkafka's threads) alive until the process exits, which librdkafka
        /// warns against (its TLS library cleans up at exit while those threads still run).
        weak var source: KafkaSource?
        var producer: WorkerProducer?
        var fencing: WorkerFencing?
        var leavesGroupOnStop = true
    }

    /// Creates the runtime and its metadata client; nothing joins a group or produces before a
    /// job runs.
    ///
    /// ```swift
    /// let kafka = try KafkaRuntime(
    ///     bootstrapServers: "127.0.0.1:9092", workerID: "worker-a",
    ///     consumer: ConsumerOptions(sessionTimeout: .seconds(6)),
    ///     producer: ProducerOptions(linger: .milliseconds(5), compression: .lz4),
    ///     properties: ["security.protocol": "ssl"])
    /// ```
    ///
    /// - Parameters:
    ///   - bootstrapServers: the brokers.
    ///   - guarantee: exactly-once (the default), at-least-once or none.
    ///   - workerID: this worker's stable name; the host name by default (see "Worker ids").
    ///   - consumer: the group consumer's settings: typed timeouts, assignment strategy and
    ///     isolation level, and any other librdkafka consumer property.
    ///   - producer: the producer's settings: transaction timeout, linger, acks, compression,
    ///     and any other librdkafka producer property.
    ///   - properties: librdkafka properties for every client of the worker: SASL, SSL and
    ///     other connection settings. A client's own properties (`consumer.properties`,
    ///     `producer.properties`) win over these.
    ///   - topicConfig: configuration of the repartition topics it creates. Records carry their
    ///     event time as timestamp, so on a broker that deletes by time, give a retention that
    ///     outlives the oldest event time the job reads (Kafka Streams uses `retention.ms=-1`).
    /// - Throws: ``KafkaOptionsError`` when a typed option and a passthrough property set the
    ///   same librdkafka property, when a passthrough property is one the runtime sets itself,
    ///   or for a value the runtime cannot work with; librdkafka's error for a property it
    ///   does not know.
    public init(
        bootstrapServers: String, guarantee: DeliveryGuarantee = .exactlyOnce, workerID: String? = nil,
        consumer: ConsumerOptions = ConsumerOptions(), producer: ProducerOptions = ProducerOptions(),
        properties: [String: String] = [:], topicConfig: [String: String] = [:],
        logger: Logger = Logger(label: "sluice.kafka")
    ) throws {
        try Self.validate(guarantee: guarantee, consumer: consumer, producer: producer, properties: properties)
        self.bootstrapServers = bootstrapServers
        self.guarantee = guarantee
        self.workerID = workerID ?? ProcessInfo.processInfo.hostName
        self.consumer = consumer
        self.producer = producer
        self.properties = properties
        self.topicConfig = topicConfig
        self.logger = logger
        var configuration = KafkaConfiguration(bootstrapServers: bootstrapServers)
        configuration.properties = Self.sharedProperties(properties, consumer: consumer, producer: producer)
        admin = try KafkaAdmin(configuration: configuration, logger: logger)
    }

    /// Checks options as ``init(bootstrapServers:guarantee:workerID:consumer:producer:properties:topicConfig:logger:)``
    /// does, without making a client: throws the first ``KafkaOptionsError``.
    public static func validate(
        guarantee: DeliveryGuarantee, consumer: ConsumerOptions, producer: ProducerOptions, properties: [String: String]
    ) throws {
        try consumer.validate(shared: properties, guarantee: guarantee)
        try producer.validate(shared: properties, guarantee: guarantee)
    }

    /// The security and connection settings of ``properties``, ``ConsumerOptions/properties``
    /// and ``ProducerOptions/properties``, which the worker's metadata and checkpoint clients
    /// need too.
    private static func sharedProperties(
        _ properties: [String: String], consumer: ConsumerOptions, producer: ProducerOptions
    ) -> [String: String] {
        properties.merging(producer.properties) { _, own in own }.merging(consumer.properties) { _, own in own }
            .filter { sharedProperty($0.key) }
    }

    /// Security and connection settings every client of the worker needs, whichever properties
    /// they were given with.
    private static func sharedProperty(_ name: String) -> Bool {
        name.hasPrefix("security.") || name.hasPrefix("sasl.") || name.hasPrefix("ssl.") || name == "client.dns.lookup"
    }

    /// A source reading `topics` (a name starting with `^` is a regular expression) through
    /// this runtime's consumer. A job reads all its Kafka topics through one source.
    ///
    /// - Parameters:
    ///   - startingOffsets: where partitions without a checkpoint start.
    ///   - ending: where the source ends: never (the default), at the end offsets captured
    ///     when partitions are assigned, or at a timestamp (a bounded run, see ``KafkaSourceEnd``).
    public func source(
        topics: [String], startingOffsets: KafkaStartingOffsets = .committedOrEarliest, ending: KafkaSourceEnd = .never
    ) throws -> KafkaSource {
        try state.withLock { state in
            guard state.source == nil else {
                throw KafkaConnectorError.secondSource
            }
            let source = KafkaSource(
                runtime: self, topics: topics, startingOffsets: startingOffsets, ending: ending, logger: logger)
            state.source = source
            return source
        }
    }

    /// A source reading `topics`; with `stopsAtEnd`, a bounded run ending at the end offsets
    /// captured when partitions are assigned (``KafkaSourceEnd/latestAtStart``).
    public func source(
        topics: [String], startingOffsets: KafkaStartingOffsets = .committedOrEarliest, stopsAtEnd: Bool
    ) throws -> KafkaSource {
        try source(topics: topics, startingOffsets: startingOffsets, ending: stopsAtEnd ? .latestAtStart : .never)
    }

    /// Whether librdkafka is running this worker's rebalance callback right now, on the worker's
    /// driver thread. The worker never does: the callback only records the change, and the
    /// worker restores, seeks and checkpoints between two polls. For diagnostics and tests.
    public var isInRebalanceCallback: Bool {
        state.withLock { $0.source }?.isInRebalanceCallback ?? false
    }

    /// Whether the worker leaves its consumer group when the job stops (the default), so the
    /// other workers take its partitions at once. Set it to `false` before stopping a static
    /// member (``GroupMembership/static``) that will be restarted with the same ``workerID``:
    /// it then keeps its partitions for the session timeout (``ConsumerOptions/sessionTimeout``)
    /// and takes them back without a rebalance when it rejoins within it. A dynamic member
    /// always leaves. Any thread may set it.
    public var leavesGroupOnStop: Bool {
        get { state.withLock { $0.leavesGroupOnStop } }
        set { state.withLock { $0.leavesGroupOnStop = newValue } }
    }

    /// A sink writing through this runtime's producer, to `topic` or to each record's own topic.
    public func sink(topic: String? = nil) -> KafkaSink {
        KafkaSink(runtime: self, topic: topic)
    }

    // MARK: JobRuntime

    /// Opens this worker for `plan`'s job: the group consumer, the (transactional) producer,
    /// the topic admin and the checkpoint reader.
    public func openWorker(plan: JobPlan) throws -> WorkerServices {
        // A job without Kafka input whose sources live outside the process (files) still runs
        // as a group member: the group assigns its sources' splits (HostedSplits) and its
        // transactions commit with the group's metadata.
        let member = state.withLock { $0.source } ?? (plan.mode == .distributed
            ? KafkaSource(runtime: self, topics: [], startingOffsets: .committedOrEarliest, ending: .never, logger: logger,
                          membershipOnly: true)
            : nil)
        let producerConfiguration = producerConfiguration(job: plan.jobName)
        let fencing = WorkerFencing(
            job: plan.jobName, workerID: workerID, transactionalID: producerConfiguration.transactionalID,
            groupInstanceID: member == nil || consumer.effectiveMembership == .dynamic ? nil : workerID)
        let producer: WorkerProducer
        do {
            producer = try WorkerProducer(configuration: producerConfiguration, fencing: fencing, logger: logger)
            if guarantee == .exactlyOnce {
                try producer.producer.initTransactions(timeout: .seconds(20))
            }
        } catch let error as KafkaError {
            throw fencing.check(unreachable(error, doing: "starting the producer"), clientFatal: nil)
        }
        state.withLock { state in
            state.producer = producer
            state.fencing = fencing
        }
        let topics = InternalTopicAdmin(admin: admin)
        let transport = KafkaExchangeTransport(producer: producer, topics: topics, topicConfig: topicConfig)
        let log = guarantee == .exactlyOnce
            ? try KafkaCheckpointLog(
                producer: producer, topics: topics, bootstrapServers: bootstrapServers,
                properties: Self.sharedProperties(properties, consumer: consumer, producer: self.producer))
            : nil
        guard let source = member else {
            // Only in-process sources: they own their splits; the producer serves the sinks.
            let local = LocalRuntime()
            return WorkerServices(
                membership: try local.openWorker(plan: plan).membership, commitPoint: local.commitPoint,
                exchangeTransport: transport, checkpointLog: log, workerID: workerID,
                close: { [self] in closeWorker(producer) })
        }
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(job: plan.jobName, source: source), deferringRebalances: true, logger: logger)
        source.attach(consumer)
        let commitPoint: any CommitPoint = guarantee == .exactlyOnce
            ? TransactionalCommitPoint(producer: producer, consumer: consumer, bootstrapServers: bootstrapServers, logger: logger)
            : OffsetCommitPoint(consumer: consumer)
        return WorkerServices(
            membership: source, commitPoint: commitPoint, exchangeTransport: transport, checkpointLog: log,
            workerID: workerID, close: { [self] in closeWorker(producer) })
    }

    private func closeWorker(_ producer: WorkerProducer) {
        producer.close()
        state.withLock { $0.producer = nil }
    }

    /// The open worker's producer, which the job's sinks write through.
    func workerProducer() throws -> WorkerProducer {
        guard let producer = state.withLock({ $0.producer }) else {
            throw KafkaConnectorError.notRunning("Kafka sinks")
        }
        return producer
    }

    /// `error`, or the ``WorkerFencedError`` it means, for an error of the worker's consumer.
    func identified(_ error: any Error, consumer: KafkaConsumer) -> any Error {
        state.withLock { $0.fencing }?.check(error, clientFatal: consumer.fatalError) ?? error
    }

    /// Ends the consumer's group membership as the job stops: leaves the group, unless the worker
    /// is a static member told to keep its place (``leavesGroupOnStop``) or was fenced (its
    /// membership, when static, belongs to the newer process now, and on a broker that hands
    /// both processes one member id, as Tansu 0.6 does, a LeaveGroup would remove the other).
    func endMembership(of member: KafkaConsumer) {
        let (leaves, fenced) = state.withLock { ($0.leavesGroupOnStop, $0.fencing?.error != nil) }
        if consumer.effectiveMembership == .static, leaves, !fenced {
            member.leaveGroup()
        } else {
            member.close()
        }
    }

    /// The group's session timeout: how long it waits for a silent worker, and how long a static
    /// member stopped for a restart keeps its partitions (librdkafka's default, 45 s, unless
    /// ``ConsumerOptions/sessionTimeout`` or a passthrough property sets it).
    public var sessionTimeout: Duration {
        if let timeout = consumer.sessionTimeout { return timeout }
        let property = consumer.properties["session.timeout.ms"] ?? properties["session.timeout.ms"]
        return .milliseconds(property.flatMap { Int64($0) } ?? 45_000)
    }

    /// Creates the topics standing for other sources' splits (``HostedSplits``) when missing;
    /// one with another partition count is an error.
    func ensureSplitTopics(_ topics: [InternalTopic]) throws {
        do {
            try InternalTopicAdmin(admin: admin).ensure(topics, config: [:], exact: true)
        } catch let error as KafkaError {
            throw unreachable(error, doing: "creating the topics of file splits \(topics.map(\.name).joined(separator: ", "))")
        }
    }

    func describeTopic(_ topic: String) throws -> TopicDescription {
        do {
            return try admin.describeTopic(topic)
        } catch let error as KafkaError {
            throw unreachable(error, doing: "describing topic \(topic)")
        }
    }

    func listTopics() throws -> [String] {
        do {
            return try admin.listTopics()
        } catch let error as KafkaError {
            throw unreachable(error, doing: "listing topics")
        }
    }

    /// The same error, its message naming the brokers, so a job that cannot reach Kafka says
    /// where it looked.
    private func unreachable(_ error: KafkaError, doing what: String) -> KafkaError {
        KafkaError(
            code: error.code, name: error.name,
            message: "\(error.meansUnreachable ? "cannot reach Kafka at" : "Kafka at") \(bootstrapServers): \(what): \(error.message)",
            isRetriable: error.isRetriable || error.meansUnreachable,
            requiresAbort: error.requiresAbort, isFatal: error.isFatal)
    }

    private func producerConfiguration(job: String) -> ProducerConfiguration {
        var configuration = ProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.idempotence = true
        if guarantee == .exactlyOnce {
            configuration.transactionalID = "\(job)-\(workerID)"
        }
        producer.apply(to: &configuration, shared: properties, guarantee: guarantee)
        return configuration
    }

    func consumerConfiguration(job: String, source: KafkaSource) -> ConsumerConfiguration {
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: job)
        let latest = source.startingOffsets == .committedOrLatest || source.startingOffsets == .latest
        configuration.autoOffsetReset = latest ? .latest : .earliest
        consumer.apply(to: &configuration, shared: properties)
        if consumer.effectiveMembership == .static { configuration.groupInstanceID = workerID }
        return configuration
    }
}
