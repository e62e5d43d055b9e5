import SluiceKafka

/// Consumer group settings for Tansu, whose JoinGroup waits up to the rebalance timeout: a
/// short session, so a dead member's partitions move within seconds.
public enum TansuGroupSettings {
    /// As librdkafka properties.
    public static let properties = ["session.timeout.ms": "6000", "max.poll.interval.ms": "10000", "heartbeat.interval.ms": "500"]
    /// ``properties`` as a ``KafkaRuntime``'s typed consumer options.
    public static let options = ConsumerOptions(
        sessionTimeout: .seconds(6), heartbeatInterval: .milliseconds(500), maxPollInterval: .seconds(10))
}
