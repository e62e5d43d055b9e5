/// One partition's batches classified by KIP-98's read_committed rule, without the broker's
/// aborted-transaction index: each transactional data batch belongs to the run of its
/// producer id that the producer's next COMMIT or ABORT control batch in the partition ends,
/// or is open when none follows.
///
/// Markers are matched by producer id alone, as a KIP-98 consumer does, because the marker
/// that ends a fenced producer's transaction may carry a newer epoch. A control batch that ends
/// no data batch is not a transaction: Tansu writes a transaction's markers into partitions
/// of the topic the transaction never wrote to.
public struct PartitionAudit: Sendable {
    /// The partition.
    public let partition: Int32
    /// The data batches (control batches left out), each with its state.
    public let dataBatches: [(batch: RecordBatch, state: BatchState)]
    /// One past the last offset read, or the broker's high watermark if that is further.
    public let logEndOffset: Int64
    /// The high watermark in the broker's last Fetch answer.
    public let highWatermark: Int64
    /// The first offset of the earliest open transaction, or ``logEndOffset`` when none is
    /// open. Found from the batches, not taken from the broker: Tansu 0.6's is not KIP-98's.
    public let lastStableOffset: Int64
    /// The partition's transactions.
    public let transactions: TransactionCounts
    /// The partition's records.
    public let records: RecordCounts

    /// Classifies `batches`, a partition's batches in offset order.
    public init(partition: Int32, batches: [RecordBatch], highWatermark: Int64) {
        self.partition = partition
        self.highWatermark = highWatermark
        logEndOffset = batches.reduce(highWatermark) { max($0, $1.lastOffset + 1) }
        var states: [BatchState] = batches.map { $0.isTransactional ? .open : .plain }
        var pending: [Int64: [Int]] = [:]
        var transactions = TransactionCounts()
        for (index, batch) in batches.enumerated() {
            if batch.isControl {
                let outcome: BatchState
                switch batch.controlType {
                case .commit: outcome = .committed
                case .abort: outcome = .aborted
                default: continue
                }
                guard let run = pending.removeValue(forKey: batch.producerID), !run.isEmpty else { continue }
                if outcome == .committed { transactions.committed += 1 } else { transactions.aborted += 1 }
                for member in run { states[member] = outcome }
            } else if batch.isTransactional {
                pending[batch.producerID, default: []].append(index)
            }
        }
        transactions.open = pending.count
        self.transactions = transactions
        let lastStable = pending.values.compactMap { $0.first.map { batches[$0].baseOffset } }.min() ?? logEndOffset
        lastStableOffset = lastStable
        var records = RecordCounts()
        var data: [(batch: RecordBatch, state: BatchState)] = []
        for (batch, state) in zip(batches, states) where !batch.isControl {
            data.append((batch, state))
            switch state {
            case .plain: records.plain += batch.records.count
            case .committed: records.committed += batch.records.count
            case .aborted: records.aborted += batch.records.count
            case .open: records.open += batch.records.count
            }
            if state == .plain || state == .committed {
                records.hiddenBehindLastStableOffset += batch.records.count(where: { $0.offset >= lastStable })
            }
        }
        dataBatches = data
        self.records = records
    }

    /// What a read_committed reader sees now: records of committed transactions and plain
    /// records below the last stable offset, in offset order.
    public var visibleRecords: [LogRecord] {
        dataBatches.filter { $0.state == .plain || $0.state == .committed }
            .flatMap { $0.batch.records.filter { $0.offset < lastStableOffset } }
    }
}
