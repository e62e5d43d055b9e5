extension MemoryBroker {
    /// When offsets committed in a transaction become visible to the group, as the brokers
    /// Sluice runs on differ.
    public enum OffsetVisibility: Sendable, Equatable {
        /// At commit, as Kafka does.
        case immediate
        /// Only after `commits` later transactional commits, as Tansu shows them late while
        /// other transactions are open.
        case lagging(commits: Int)
        /// Never, as librdkafka's mock clusters keep no transactional offsets.
        case never
    }
}
