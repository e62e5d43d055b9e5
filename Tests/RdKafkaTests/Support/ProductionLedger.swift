import BrokerRig
import Foundation
import RdKafka

/// The records a test produced, in the order it produced them, and what KIP-98's
/// read_committed rule makes of them: expectations for ``Verifier`` computed without it.
///
/// Production order stands for log order within a partition, so a test must let each step
/// finish (flush, commit or abort) before the next; ``transaction(_:ending:_:)`` does.
final class ProductionLedger {
    /// How a transaction ended.
    enum Outcome { case committed, aborted }

    /// What a read_committed reader makes of one record.
    enum Kind {
        case committed, aborted, open, plain

        /// Whether a read_committed reader gets such a record once the LSO is past it.
        var isReadable: Bool { self == .committed || self == .plain }
    }

    /// One produced record.
    struct Entry {
        var partition: Int32
        var key: String
        var value: String
        /// The transaction it was sent in, or `nil` for a non-transactional record.
        var transaction: Int?
        var token: UInt
    }

    /// The ledger's records and the delivery reports disagree.
    struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    /// Collects every producer's delivery reports; pass its handler to each producer.
    let deliveries = DeliveryCollector()
    private(set) var entries: [Entry] = []
    /// By transaction number; `nil` while open.
    private var outcomes: [Outcome?] = []

    /// Runs `body` (given the transaction's number) in a new transaction of `producer`, then
    /// flushes, so every record has its delivery report, and ends the transaction as
    /// `outcome`, or leaves it open when `outcome` is `nil`.
    @discardableResult
    func transaction(_ producer: KafkaProducer, ending outcome: Outcome?, _ body: (Int) throws -> Void) throws -> Int {
        try producer.beginTransaction()
        let number = outcomes.count
        outcomes.append(nil)
        try body(number)
        try producer.flush()
        switch outcome {
        case .committed?: try producer.commitTransaction()
        case .aborted?: try producer.abortTransaction()
        case nil: break
        }
        outcomes[number] = outcome
        return number
    }

    /// Notes that transaction `number`, left open, has ended as `outcome`.
    func ended(_ number: Int, as outcome: Outcome) {
        outcomes[number] = outcome
    }

    /// Sends `count` records labelled `label` to `partition`, in `transaction` or, when `nil`,
    /// as plain records.
    func send(_ producer: KafkaProducer, topic: String, partition: Int32, count: Int, label: String, transaction: Int?) throws {
        for i in 0..<count {
            let token = UInt(entries.count + 1)
            let entry = Entry(partition: partition, key: "k\(token)", value: "\(label)-\(i)", transaction: transaction, token: token)
            try producer.send(topic: topic, partition: partition, key: Array(entry.key.utf8), value: Array(entry.value.utf8), token: token)
            entries.append(entry)
        }
    }

    /// What a read_committed reader makes of `entry` as its transaction stands now.
    func kind(_ entry: Entry) -> Kind {
        guard let transaction = entry.transaction else { return .plain }
        switch outcomes[transaction] {
        case .committed?: return .committed
        case .aborted?: return .aborted
        case nil: return .open
        }
    }

    /// The offset of every record, by token, from the delivery reports; throws unless every
    /// record has one.
    func deliveredOffsets() throws -> [UInt: Int64] {
        let reports = deliveries.all
        if let failed = reports.first(where: { $0.error != nil }) {
            throw Mismatch(description: "record \(failed.token) was not delivered: \(failed.error!)")
        }
        let offsets = Dictionary(reports.map { ($0.token, $0.offset) }, uniquingKeysWith: { first, _ in first })
        guard offsets.count == entries.count, entries.allSatisfy({ offsets[$0.token] != nil }) else {
            throw Mismatch(description: "\(offsets.count) delivery reports for \(entries.count) records")
        }
        return offsets
    }

    /// Position in ``entries`` of each partition's first record of a still-open transaction:
    /// the last stable offset, as a place in production order.
    private var firstOpen: [Int32: Int] {
        var first: [Int32: Int] = [:]
        for (index, entry) in entries.enumerated() where kind(entry) == .open && first[entry.partition] == nil {
            first[entry.partition] = index
        }
        return first
    }

    /// Whether the record at `index` of ``entries`` lies beyond its partition's last stable offset.
    private func isBehindOpenTransaction(_ index: Int) -> Bool {
        firstOpen[entries[index].partition].map { index > $0 } ?? false
    }

    /// The records of `view`, sorted by partition and offset as ``Verifier`` reports them.
    func expectedRecords(_ view: VerifierView) throws -> [CommittedRecord] {
        let offsets = try deliveredOffsets()
        return entries.indices
            .filter { kind(entries[$0]).isReadable && (view == .eventual || !isBehindOpenTransaction($0)) }
            .map { entries[$0] }
            .map { CommittedRecord(partition: $0.partition, offset: offsets[$0.token]!, key: Array($0.key.utf8), value: Array($0.value.utf8)) }
            .sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    /// Transactions by outcome, one per partition each wrote to, in `partition` or in all.
    func expectedTransactions(in partition: Int32? = nil) -> AuditStats.TransactionCounts {
        struct Written: Hashable { var transaction: Int, partition: Int32 }
        var written = Set<Written>()
        for entry in entries where partition == nil || entry.partition == partition {
            if let transaction = entry.transaction { written.insert(Written(transaction: transaction, partition: entry.partition)) }
        }
        var counts = AuditStats.TransactionCounts(committed: 0, aborted: 0, open: 0)
        for pair in written {
            switch outcomes[pair.transaction] {
            case .committed?: counts.committed += 1
            case .aborted?: counts.aborted += 1
            case nil: counts.open += 1
            }
        }
        return counts
    }

    /// Records by kind, in `partition` or in all.
    func expectedRecordCounts(in partition: Int32? = nil) -> AuditStats.RecordCounts {
        var counts = AuditStats.RecordCounts(committed: 0, aborted: 0, open: 0, plain: 0, hiddenBehindLSO: 0)
        for (index, entry) in entries.enumerated() where partition == nil || entry.partition == partition {
            switch kind(entry) {
            case .committed: counts.committed += 1
            case .aborted: counts.aborted += 1
            case .open: counts.open += 1
            case .plain: counts.plain += 1
            }
            if kind(entry).isReadable && isBehindOpenTransaction(index) { counts.hiddenBehindLSO += 1 }
        }
        return counts
    }

    /// Each partition's last stable offset where a transaction is open there: the offset of
    /// its first open record.
    func expectedLastStableOffsets() throws -> [Int32: Int64] {
        let offsets = try deliveredOffsets()
        return firstOpen.mapValues { offsets[entries[$0].token]! }
    }
}
