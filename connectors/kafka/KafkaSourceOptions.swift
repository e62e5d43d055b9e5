import RdKafka

/// Configuration of a ``KafkaSource``.
public struct KafkaSourceOptions: Sendable {
    /// `bootstrap.servers`.
    public var bootstrapServers: String
    /// Topics to read. A name starting with `^` is a regular expression (librdkafka's pattern
    /// subscription).
    public var topics: [String]
    /// The consumer group; Sluice's runtime uses the job name.
    public var groupID: String
    /// Where to start on partitions with or without committed offsets.
    public var startingOffsets: KafkaStartingOffsets
    /// Whether the source ends: each partition stops at the end offset (high watermark) it
    /// had when it was assigned, as Flink's `setBounded(OffsetsInitializer.latest())`. A
    /// bounded job ends with a final watermark that fires every pending window and timer.
    ///
    /// Relies on the broker's high watermark, which Tansu 0.6 reports per record batch (the
    /// last batch's base offset + 1): there a bounded run stops before the last batch's
    /// remaining records.
    public var stopsAtEnd: Bool
    /// Any other librdkafka consumer property (SASL, SSL, timeouts).
    public var properties: [String: String]

    /// Creates options for reading `topics` in group `groupID`.
    public init(
        bootstrapServers: String, topics: [String], groupID: String,
        startingOffsets: KafkaStartingOffsets = .committedOrEarliest, stopsAtEnd: Bool = false,
        properties: [String: String] = [:]
    ) {
        self.stopsAtEnd = stopsAtEnd
        self.bootstrapServers = bootstrapServers
        self.topics = topics
        self.groupID = groupID
        self.startingOffsets = startingOffsets
        self.properties = properties
    }

    var consumerConfiguration: ConsumerConfiguration {
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: groupID)
        configuration.autoOffsetReset = startingOffsets == .committedOrLatest || startingOffsets == .latest ? .latest : .earliest
        configuration.client.properties = properties
        return configuration
    }
}
