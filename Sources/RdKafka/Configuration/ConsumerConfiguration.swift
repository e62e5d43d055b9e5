/// Configuration of a ``KafkaConsumer``.
///
/// Defaults differ from librdkafka's where a stream processor needs it: offsets are never
/// committed automatically (the caller commits what it has processed) and the assignment
/// strategy is cooperative-sticky.
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
        heartbeatInterval: Duration? = nil, fetchWait: Duration? = nil
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
    }

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
        return out + client.librdkafkaProperties
    }
}
