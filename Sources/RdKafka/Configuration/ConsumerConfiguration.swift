/// Configuration of a ``KafkaConsumer``.
///
/// Defaults differ from librdkafka's where a stream processor needs it: offsets are never
/// committed automatically (the caller commits what it has processed), the assignment
/// strategy is cooperative-sticky, and ``fetchQueueBackoff`` is 10 ms instead of 1 s.
public struct ConsumerConfiguration: Sendable {
    /// Brokers, identity and passthrough properties.
    public var client: KafkaConfiguration
    /// `group.id`; `nil` for a consumer that only uses manual assignment. librdkafka needs
    /// a group even then, so such a consumer gets a throwaway `sluice-reader-<random>` group
    /// in which nothing is committed unless the caller commits.
    public var groupID: String?
    /// `group.instance.id`: static membership.
    public var groupInstanceID: String?
    /// `auto.offset.reset`: where to start when the group has no committed offset.
    public var autoOffsetReset: OffsetReset
    /// `enable.auto.commit`. Off by default.
    public var autoCommit: Bool
    /// `isolation.level`.
    public var isolationLevel: IsolationLevel
    /// `partition.assignment.strategy`.
    public var assignmentStrategy: AssignmentStrategy
    /// `session.timeout.ms`.
    public var sessionTimeout: Duration?
    /// `max.poll.interval.ms`; librdkafka also uses it as the group's rebalance timeout.
    public var maxPollInterval: Duration?
    /// `heartbeat.interval.ms`: how often the member tells the group it is alive; keep it
    /// well under ``sessionTimeout``.
    public var heartbeatInterval: Duration?
    /// `fetch.wait.max.ms`: how long a broker may hold a fetch waiting for data.
    public var fetchWait: Duration?
    /// `fetch.queue.backoff.ms`: how long librdkafka postpones a partition's next fetch once
    /// its local queue holds `queued.min.messages` records or `queued.max.messages.kbytes`.
    ///
    /// 10 ms by default, against librdkafka's 1,000 ms: a consumer that processes what it
    /// reads (rather than dropping it) fills the queue, drains it in a fraction of a second and
    /// then waits out the rest of the backoff idle. Measured on Tansu with librdkafka 2.16, a
    /// `kcat -C | kcat -P` pipe of 1,000,000 records of 100 bytes took 5.57 s at 1,000 ms,
    /// 1.25 s at 100 ms, 1.10 s at 10 ms and 1.15 s at 0 ms, at the same CPU time (medians of
    /// 5; `BENCHMARKS.md`). `nil` keeps librdkafka's default. Set only where the loaded
    /// librdkafka knows the property (2.1.0 and later); Debian's 2.0.2 has a fixed backoff.
    public var fetchQueueBackoff: Duration?

    /// The `auto.offset.reset` values.
    public enum OffsetReset: String, Sendable { case earliest, latest, error }
    /// The `isolation.level` values.
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "read_committed", readUncommitted = "read_uncommitted"
    }
    /// The `partition.assignment.strategy` values.
    public enum AssignmentStrategy: String, Sendable {
        case cooperativeSticky = "cooperative-sticky", range, roundRobin = "roundrobin"
    }

    /// Creates a consumer configuration.
    public init(
        client: KafkaConfiguration, groupID: String? = nil, autoOffsetReset: OffsetReset = .earliest,
        autoCommit: Bool = false, isolationLevel: IsolationLevel = .readCommitted,
        assignmentStrategy: AssignmentStrategy = .cooperativeSticky,
        sessionTimeout: Duration? = nil, maxPollInterval: Duration? = nil,
        heartbeatInterval: Duration? = nil, fetchWait: Duration? = nil,
        fetchQueueBackoff: Duration? = Self.defaultFetchQueueBackoff
    ) {
        self.client = client
        self.groupID = groupID
        self.autoOffsetReset = autoOffsetReset
        self.autoCommit = autoCommit
        self.isolationLevel = isolationLevel
        self.assignmentStrategy = assignmentStrategy
        self.sessionTimeout = sessionTimeout
        self.maxPollInterval = maxPollInterval
        self.heartbeatInterval = heartbeatInterval
        self.fetchWait = fetchWait
        self.fetchQueueBackoff = fetchQueueBackoff
    }

    /// ``fetchQueueBackoff``'s default: 10 ms.
    public static let defaultFetchQueueBackoff: Duration = .milliseconds(10)

    /// Whether the loaded librdkafka knows `fetch.queue.backoff.ms`.
    static let knowsFetchQueueBackoff = KafkaConfiguration.isKnownProperty("fetch.queue.backoff.ms")

    /// Creates a consumer configuration for the given brokers and group.
    public init(bootstrapServers: String, groupID: String? = nil) {
        self.init(client: KafkaConfiguration(bootstrapServers: bootstrapServers), groupID: groupID)
    }

    var librdkafkaProperties: [(String, String)] {
        var out: [(String, String)] = []
        out.append(("group.id", groupID ?? "sluice-reader-\(UInt64.random(in: 0...UInt64.max))"))
        if let groupInstanceID { out.append(("group.instance.id", groupInstanceID)) }
        out.append(("auto.offset.reset", autoOffsetReset.rawValue))
        out.append(("enable.auto.commit", autoCommit ? "true" : "false"))
        out.append(("isolation.level", isolationLevel.rawValue))
        out.append(("partition.assignment.strategy", assignmentStrategy.rawValue))
        if let sessionTimeout { out.append(("session.timeout.ms", String(sessionTimeout.milliseconds))) }
        if let maxPollInterval { out.append(("max.poll.interval.ms", String(maxPollInterval.milliseconds))) }
        if let heartbeatInterval { out.append(("heartbeat.interval.ms", String(heartbeatInterval.milliseconds))) }
        if let fetchWait { out.append(("fetch.wait.max.ms", String(fetchWait.milliseconds))) }
        if let fetchQueueBackoff, Self.knowsFetchQueueBackoff {
            out.append(("fetch.queue.backoff.ms", String(fetchQueueBackoff.milliseconds)))
        }
        return out + client.librdkafkaProperties
    }
}
