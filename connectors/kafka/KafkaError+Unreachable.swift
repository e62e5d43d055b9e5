import RdKafka

extension KafkaError {
    /// Whether librdkafka reports that no broker answered, rather than an answer that was an
    /// error: a request that timed out, a connection that failed or could not be resolved,
    /// every broker down, or no leader to ask.
    public var meansUnreachable: Bool {
        Self.unreachableNames.contains(name)
    }

    /// librdkafka's names of those conditions, client-side (`_…`) and from brokers. Code 6 is
    /// `NOT_LEADER_FOR_PARTITION` in librdkafka 2.0 and `NOT_LEADER_OR_FOLLOWER` in later ones.
    private static let unreachableNames: Set<String> = [
        "_TRANSPORT", "_ALL_BROKERS_DOWN", "_TIMED_OUT", "_TIMED_OUT_QUEUE", "_RESOLVE", "_WAIT_COORD",
        "REQUEST_TIMED_OUT", "NETWORK_EXCEPTION", "BROKER_NOT_AVAILABLE", "LEADER_NOT_AVAILABLE",
        "NOT_LEADER_FOR_PARTITION", "NOT_LEADER_OR_FOLLOWER",
    ]
}
