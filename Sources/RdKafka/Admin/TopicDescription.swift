/// A topic as the cluster's metadata describes it.
public struct TopicDescription: Sendable, Hashable {
    /// One partition of the topic.
    public struct Partition: Sendable, Hashable {
        /// The partition number.
        public var id: Int32
        /// The leader's broker id, or -1 when there is none.
        public var leader: Int32
        /// Broker ids of the replicas.
        public var replicas: [Int32]
        /// Broker ids of the in-sync replicas.
        public var inSyncReplicas: [Int32]
    }

    /// The topic name.
    public var name: String
    /// Its partitions, ordered by id.
    public var partitions: [Partition]
}
