/// What the raw-batch audit of `scripts/verify.py` found in a topic; the same whichever
/// ``VerifierView`` was read.
///
/// Transactions are counted per partition: a transaction is a run of transactional data
/// batches of one producer id in one partition, ended by that producer's next COMMIT or ABORT
/// control batch there, or still open. A transaction that wrote to k partitions of the topic
/// counts k times, and the topic's totals are sums over its partitions. The log does not say
/// which markers in different partitions end the same transaction (Tansu even writes markers
/// into partitions a transaction never wrote to; those end nothing and are not counted), so a
/// distinct count across partitions cannot be had from the batches.
///
/// Only the audit (Tansu) can count; a share consumer (``BrokerKind/mock216``) sees records
/// only, so ``VerifierReport/stats`` is `nil` there.
public struct AuditStats: Sendable, Equatable, Decodable {
    /// Transactions by outcome.
    public struct TransactionCounts: Sendable, Equatable, Decodable {
        /// Ended by a COMMIT control batch.
        public var committed: Int
        /// Ended by an ABORT control batch.
        public var aborted: Int
        /// Not ended yet.
        public var open: Int

        /// Creates counts, e.g. the ones a test expects.
        public init(committed: Int, aborted: Int, open: Int) {
            self.committed = committed
            self.aborted = aborted
            self.open = open
        }
    }

    /// Records by what a read_committed consumer makes of them.
    public struct RecordCounts: Sendable, Equatable, Decodable {
        /// Records of committed transactions, wherever the last stable offset is.
        public var committed: Int
        /// Records of aborted transactions.
        public var aborted: Int
        /// Records of open transactions.
        public var open: Int
        /// Non-transactional records, wherever the last stable offset is.
        public var plain: Int
        /// Committed and plain records at or beyond their partition's last stable offset: the
        /// ``VerifierView/eventual`` view holds them, the ``VerifierView/now`` view does not.
        public var hiddenBehindLSO: Int

        /// Creates counts, e.g. the ones a test expects.
        public init(committed: Int, aborted: Int, open: Int, plain: Int, hiddenBehindLSO: Int) {
            self.committed = committed
            self.aborted = aborted
            self.open = open
            self.plain = plain
            self.hiddenBehindLSO = hiddenBehindLSO
        }

        /// How many records the ``VerifierView/now`` view holds.
        public var visibleNow: Int { committed + plain - hiddenBehindLSO }

        /// How many records the ``VerifierView/eventual`` view holds.
        public var visibleEventually: Int { committed + plain }

        enum CodingKeys: String, CodingKey {
            case committed, aborted, open, plain
            case hiddenBehindLSO = "hidden_behind_lso"
        }
    }

    /// One partition's offsets and counts.
    public struct PartitionStats: Sendable, Equatable, Decodable {
        /// The partition.
        public var partition: Int32
        /// The first offset of the partition's earliest open transaction, or
        /// ``logEndOffset`` when none is open: KIP-98's last stable offset, found from the
        /// batches.
        public var lastStableOffset: Int64
        /// One past the last offset read.
        public var logEndOffset: Int64
        /// The high watermark in the broker's last Fetch answer.
        public var highWatermark: Int64
        /// The last stable offset in the broker's last Fetch answer. The audit does not use
        /// it: Tansu 0.6's is not KIP-98's.
        public var brokerLastStableOffset: Int64
        /// The partition's transactions.
        public var transactions: TransactionCounts
        /// The partition's records.
        public var records: RecordCounts

        enum CodingKeys: String, CodingKey {
            case partition, transactions, records
            case lastStableOffset = "last_stable_offset"
            case logEndOffset = "log_end_offset"
            case highWatermark = "high_watermark"
            case brokerLastStableOffset = "broker_last_stable_offset"
        }
    }

    /// The audited topic.
    public var topic: String
    /// The topic's transactions, counted once per partition they wrote to.
    public var transactions: TransactionCounts
    /// The topic's records.
    public var records: RecordCounts
    /// Every partition of the topic, by partition number.
    public var partitions: [PartitionStats]
}
