import SluiceKafka

/// Consumer group settings for Tansu, whose JoinGroup waits up to the rebalance timeout: a
/// short session, so a dead member's partitions move within seconds, and dynamic membership:
/// these tests move partitions between workers, and Tansu 0.6 does not follow a static member
/// (the default) that gives partitions away in a cooperative rebalance or rejoins a group of
/// several (README, "Restarts and group membership"). The static default is tested where Tansu
/// can show it (`WorkerIdentityTests`, the examples' single workers).
public enum TansuGroupSettings {
    /// As librdkafka properties.
    public static let properties = ["session.timeout.ms": "6000", "max.poll.interval.ms": "10000", "heartbeat.interval.ms": "500"]
    /// ``properties`` as a ``KafkaRuntime``'s typed consumer options, with dynamic membership.
    public static let options = ConsumerOptions(
        sessionTimeout: .seconds(6), heartbeatInterval: .milliseconds(500), maxPollInterval: .seconds(10), membership: .dynamic)
}
