/// Names of the Kafka protocol error codes an audit can meet, for messages.
enum KafkaErrorCode {
    static let offsetOutOfRange: Int16 = 1
    static let unknownTopicOrPartition: Int16 = 3
    static let leaderNotAvailable: Int16 = 5
    static let notLeaderOrFollower: Int16 = 6

    /// Codes that a moment later, with fresh metadata, may be gone: a leader being elected or
    /// moved.
    static func isRetriable(_ code: Int16) -> Bool {
        [leaderNotAvailable, notLeaderOrFollower, 74, 75].contains(code)
    }

    /// `CODE_NAME (n)`, or `n` for a code not named here.
    static func describe(_ code: Int16) -> String {
        let names: [Int16: String] = [
            1: "OFFSET_OUT_OF_RANGE", 3: "UNKNOWN_TOPIC_OR_PARTITION", 5: "LEADER_NOT_AVAILABLE", 6: "NOT_LEADER_OR_FOLLOWER",
            7: "REQUEST_TIMED_OUT", 29: "TOPIC_AUTHORIZATION_FAILED", 31: "CLUSTER_AUTHORIZATION_FAILED", 35: "UNSUPPORTED_VERSION",
            74: "FENCED_LEADER_EPOCH", 75: "UNKNOWN_LEADER_EPOCH",
        ]
        return names[code].map { "\($0) (\(code))" } ?? String(code)
    }
}
