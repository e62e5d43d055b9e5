import RdKafka
import Sluice

/// Settings of a ``KafkaRuntime``'s group consumer: typed fields for what a job tunes most,
/// and ``properties`` for any other librdkafka consumer property.
///
/// ```swift
/// let consumer = ConsumerOptions(sessionTimeout: .seconds(6), heartbeatInterval: .milliseconds(500))
/// let kafka = try KafkaRuntime(bootstrapServers: "127.0.0.1:9092", consumer: consumer)
/// ```
///
/// A field left `nil` keeps the runtime's default (for the enums) or librdkafka's (for the
/// durations). Setting a typed field and its librdkafka property in ``properties`` (or in the
/// runtime's shared properties) is an error naming both, as is a property the runtime sets
/// itself (`group.id`, `group.instance.id`, `enable.auto.commit`, `bootstrap.servers`).
public struct ConsumerOptions: Sendable, Equatable {
    /// `session.timeout.ms`: how long the group waits for a silent worker before moving its
    /// partitions; librdkafka's default is 45 s.
    public var sessionTimeout: Duration?
    /// `heartbeat.interval.ms`: how often the worker tells the group it is alive.
    public var heartbeatInterval: Duration?
    /// `max.poll.interval.ms`: the longest a worker may go without polling; librdkafka also
    /// uses it as the group's rebalance timeout.
    public var maxPollInterval: Duration?
    /// `fetch.wait.max.ms`: how long a broker may hold a fetch waiting for data.
    public var fetchWait: Duration?
    /// `fetch.queue.backoff.ms`: how long a partition's next fetch waits once librdkafka's
    /// local queue is full. `nil` keeps the runtime's 10 ms
    /// (``RdKafka/ConsumerConfiguration/defaultFetchQueueBackoff``, against librdkafka's 1 s,
    /// which leaves a busy job idle most of the time); only librdkafka 2.1.0 and later know it.
    public var fetchQueueBackoff: Duration?
    /// `partition.assignment.strategy`; cooperative-sticky by default, so a rebalance stops
    /// only the partitions that move.
    public var assignmentStrategy: ConsumerConfiguration.AssignmentStrategy?
    /// `isolation.level`; read_committed by default. An exactly-once job must read committed
    /// records only, so read_uncommitted is rejected there.
    public var isolationLevel: ConsumerConfiguration.IsolationLevel?
    /// Static (the default, `nil`) or dynamic group membership; a static member's
    /// `group.instance.id` is the worker id.
    public var membership: GroupMembership?
    /// Any other librdkafka consumer property, e.g. `fetch.min.bytes`.
    public var properties: [String: String]

    /// Creates consumer options; every field defaults to the runtime's default.
    public init(
        sessionTimeout: Duration? = nil, heartbeatInterval: Duration? = nil, maxPollInterval: Duration? = nil,
        fetchWait: Duration? = nil, fetchQueueBackoff: Duration? = nil,
        assignmentStrategy: ConsumerConfiguration.AssignmentStrategy? = nil,
        isolationLevel: ConsumerConfiguration.IsolationLevel? = nil, membership: GroupMembership? = nil,
        properties: [String: String] = [:]
    ) {
        self.sessionTimeout = sessionTimeout
        self.heartbeatInterval = heartbeatInterval
        self.maxPollInterval = maxPollInterval
        self.fetchWait = fetchWait
        self.fetchQueueBackoff = fetchQueueBackoff
        self.assignmentStrategy = assignmentStrategy
        self.isolationLevel = isolationLevel
        self.membership = membership
        self.properties = properties
    }

    /// The typed fields that are set: each field's name and the librdkafka property it sets.
    var typedProperties: [(option: String, property: String)] {
        var out: [(String, String)] = []
        if sessionTimeout != nil { out.append(("sessionTimeout", "session.timeout.ms")) }
        if heartbeatInterval != nil { out.append(("heartbeatInterval", "heartbeat.interval.ms")) }
        if maxPollInterval != nil { out.append(("maxPollInterval", "max.poll.interval.ms")) }
        if fetchWait != nil { out.append(("fetchWait", "fetch.wait.max.ms")) }
        if fetchQueueBackoff != nil { out.append(("fetchQueueBackoff", "fetch.queue.backoff.ms")) }
        if assignmentStrategy != nil { out.append(("assignmentStrategy", "partition.assignment.strategy")) }
        if isolationLevel != nil { out.append(("isolationLevel", "isolation.level")) }
        return out
    }

    /// Throws the first conflict, reserved property or unsupported value.
    func validate(shared: [String: String], guarantee: DeliveryGuarantee) throws {
        try KafkaOptionsCheck.check(
            typed: typedProperties, prefix: "consumer", properties: properties, shared: shared,
            reserved: ["group.id": "the consumer group is named after the job",
                       "group.instance.id": "a static member's group.instance.id is its worker id (choose static or dynamic membership with consumer.membership)",
                       "enable.auto.commit": "the runtime commits offsets at checkpoints",
                       "bootstrap.servers": "it is the runtime's bootstrapServers"])
        if let fetchQueueBackoff, !KafkaConfiguration.isKnownProperty("fetch.queue.backoff.ms") {
            throw KafkaOptionsError.unsupported(
                option: "consumer.fetchQueueBackoff", value: "\(fetchQueueBackoff)",
                reason: "librdkafka \(KafkaProducer.librdkafkaVersion) has no fetch.queue.backoff.ms (2.1.0 and later have it)")
        }
        if guarantee == .exactlyOnce, isolationLevel == .readUncommitted {
            throw KafkaOptionsError.unsupported(
                option: "consumer.isolationLevel", value: "read_uncommitted",
                reason: "an exactly-once job reads committed records only (read_committed)")
        }
    }

    /// The membership in effect: ``membership``, static when unset.
    public var effectiveMembership: GroupMembership { membership ?? .static }

    /// `configuration` with these options applied; passthrough properties are the shared
    /// ones overlaid by ``properties``.
    func apply(to configuration: inout ConsumerConfiguration, shared: [String: String]) {
        configuration.sessionTimeout = sessionTimeout
        configuration.heartbeatInterval = heartbeatInterval
        configuration.maxPollInterval = maxPollInterval
        configuration.fetchWait = fetchWait
        if let fetchQueueBackoff { configuration.fetchQueueBackoff = fetchQueueBackoff }
        if let assignmentStrategy { configuration.assignmentStrategy = assignmentStrategy }
        if let isolationLevel { configuration.isolationLevel = isolationLevel }
        configuration.client.properties = shared.merging(properties) { _, own in own }
    }
}
