/// What a read_committed reader sees of a topic, classified from its record batches: every
/// partition's ``PartitionAudit`` and the topic's totals.
public struct TopicAudit: Sendable {
    /// The topic.
    public let topic: String
    /// Every partition, by partition number.
    public let partitions: [PartitionAudit]

    /// An audit from its partitions' audits.
    public init(topic: String, partitions: [PartitionAudit]) {
        self.topic = topic
        self.partitions = partitions.sorted { $0.partition < $1.partition }
    }

    /// The topic's transactions: sums over partitions, so a transaction that wrote to k
    /// partitions counts k times.
    public var transactions: TransactionCounts { partitions.reduce(TransactionCounts()) { $0 + $1.transactions } }

    /// The topic's records: sums over partitions.
    public var records: RecordCounts { partitions.reduce(RecordCounts()) { $0 + $1.records } }

    /// The duplicates among what a read_committed reader sees now.
    public func duplicates(by criterion: DuplicateCriterion) -> DuplicateReport {
        DuplicateReport(
            records: partitions.flatMap { audit in audit.visibleRecords.map { (audit.partition, $0) } }, criterion: criterion)
    }
}
