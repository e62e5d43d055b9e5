// The connector of the "Writing a connector" article (Sluice.docc/WritingAConnector.md), as
// written there: ConnectorArticleTests checks that every code block of the article appears
// here verbatim, and runs the connector.

import Foundation
import Sluice
import Synchronization

// MARK: The systems the connector talks to

/// One entry of the journal: an amount booked to an account at a time (milliseconds).
struct JournalEntry: Sendable, Hashable, Codable {
    var account: String
    var amount: Int
    var time: Int64
}

/// An append-only journal in partitions, each entry of an account in the same partition; the
/// stand-in for a log service a source reads.
final class Journal: Sendable {
    private struct Partition {
        var entries: [JournalEntry] = []
        /// The journal's promise: no entry at or before `time` follows the first `count`.
        var seal: (time: Int64, count: Int)?
    }
    private let partitions: Mutex<[Partition]>
    let partitionCount: Int

    init(partitions: Int) {
        partitionCount = partitions
        self.partitions = Mutex(Array(repeating: Partition(), count: partitions))
    }

    /// The partition of `account`: the same on every run and every worker.
    func partition(of account: String) -> Int {
        Int(account.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
            % UInt64(partitionCount))
    }

    func append(_ entry: JournalEntry) {
        partitions.withLock { $0[partition(of: entry.account)].entries.append(entry) }
    }

    /// Promises that no entry of `partition` at or before `time` is appended from now on.
    func seal(_ partition: Int, through time: Int64) {
        partitions.withLock { $0[partition].seal = (time, $0[partition].entries.count) }
    }

    func count(_ partition: Int) -> Int {
        partitions.withLock { $0[partition].entries.count }
    }

    func entries(_ partition: Int, from index: Int, max: Int) -> [JournalEntry] {
        partitions.withLock { partitions in
            let entries = partitions[partition].entries
            return Array(entries[min(index, entries.count)..<min(entries.count, index + max)])
        }
    }

    func seal(of partition: Int) -> (time: Int64, count: Int)? {
        partitions.withLock { $0[partition].seal }
    }
}

/// A row of the ledger: an account's total in a window.
struct LedgerRow: Sendable, Hashable, Codable {
    var account: String
    var windowStart: Int64
    var total: Int
}

/// A table whose rows are written in named batches: a batch is staged (durable, not visible)
/// and later published or discarded, like a PostgreSQL prepared transaction; the stand-in for
/// a database a sink writes to.
final class Ledger: Sendable {
    private struct State {
        var rows: [LedgerRow] = []
        var staged: [String: [LedgerRow]] = [:]
        var published: Set<String> = []
    }
    private let state = Mutex(State())

    /// The visible rows.
    var rows: [LedgerRow] { state.withLock { $0.rows } }

    func append(_ rows: [LedgerRow]) {
        state.withLock { $0.rows += rows }
    }

    func stage(_ rows: [LedgerRow], as name: String) {
        state.withLock { $0.staged[name] = rows }
    }

    /// Publishes the batch staged as `name`; `false` when none is staged under that name.
    func publish(_ name: String) -> Bool {
        state.withLock { state in
            guard let rows = state.staged.removeValue(forKey: name) else { return false }
            state.rows += rows
            state.published.insert(name)
            return true
        }
    }

    func isPublished(_ name: String) -> Bool {
        state.withLock { $0.published.contains(name) }
    }

    func discard(_ name: String) {
        state.withLock { _ = $0.staged.removeValue(forKey: name) }
    }

    func stagedNames(prefix: String) -> [String] {
        state.withLock { $0.staged.keys.filter { $0.hasPrefix(prefix) }.sorted() }
    }
}

// MARK: The source

final class JournalSource: Source {
    typealias Element = JournalEntry
    let name: String
    let journal: Journal
    let isBounded: Bool

    init(journal: Journal, name: String = "journal", bounded: Bool) {
        self.journal = journal
        self.name = name
        isBounded = bounded
    }

    /// One split per partition, fixed when the job is planned.
    func splits() -> [Split] {
        (0..<journal.partitionCount).map { Split(topic: name, partition: Int32($0)) }
    }

    /// The journal keeps no read positions: splits without a checkpoint start where the job
    /// last committed them.
    var startsAtCommittedPosition: Bool { true }

    /// Per assigned split, the index of the next entry, where a bounded split ends, whether its
    /// end was reported, and the last watermark declared.
    private var next: [Split: Int] = [:]
    private var ends: [Split: Int] = [:]
    private var ended: Set<Split> = []
    private var declared: [Split: Int64] = [:]

    func assign(_ splits: [SplitStart]) {
        for start in splits {
            next[start.split] = Int(start.position ?? 0)
            if isBounded { ends[start.split] = journal.count(Int(start.split.partition)) }
            ended.remove(start.split)
            declared[start.split] = nil
        }
    }

    func seek(_ split: Split, to offset: Int64) {
        next[split] = Int(offset)
        ended.remove(split)
        declared[split] = nil
    }

    func revoke(_ splits: [Split]) {
        for split in splits {
            next[split] = nil
            ends[split] = nil
            ended.remove(split)
            declared[split] = nil
        }
    }

    func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<JournalEntry>) {
        var budget = maxRecords
        for split in next.keys.sorted() where budget > 0 {
            let partition = Int(split.partition), from = next[split]!
            let entries = journal.entries(partition, from: from, max: min(budget, (ends[split] ?? .max) - from))
            for (index, entry) in entries.enumerated() {
                batch.append(entry, split: split, offset: Int64(from + index), timestamp: entry.time)
            }
            next[split] = from + entries.count
            budget -= entries.count
            if let end = ends[split], from + entries.count >= end {
                if ended.insert(split).inserted { batch.markEnded(split) }
            } else if let seal = journal.seal(of: partition), from + entries.count >= seal.count,
                      seal.time > declared[split] ?? .min {
                declared[split] = seal.time
                batch.advanceWatermark(split, to: seal.time)
            }
        }
        if batch.count == 0, batch.endedSplits.isEmpty, batch.watermarks.isEmpty {
            Thread.sleep(forTimeInterval: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        }
    }
}

// MARK: The sink

final class LedgerSink: Sink {
    typealias Element = LedgerRow
    let name = "ledger"
    let ledger: Ledger

    init(ledger: Ledger) { self.ledger = ledger }

    func makeWriter(for task: SinkTaskContext) throws -> any SinkWriter<LedgerRow> {
        LedgerWriter(ledger: ledger, participantID: task.participantID, exactlyOnce: task.guarantee == .exactlyOnce)
    }
}

/// A row the ledger cannot hold.
struct AccountNameTooLong: Error {
    var account: String
}

/// A batch a committed checkpoint names is neither staged nor published.
struct LedgerBatchMissing: ConnectorError {
    var name: String
    var isFatal: Bool { true }
}

final class LedgerWriter: SinkWriter {
    let ledger: Ledger
    let participantID: String
    let exactlyOnce: Bool
    private var rows: [LedgerRow] = []
    private var staged: String?

    init(ledger: Ledger, participantID: String, exactlyOnce: Bool) {
        self.ledger = ledger
        self.participantID = participantID
        self.exactlyOnce = exactlyOnce
    }

    func write(_ elements: [LedgerRow]) throws {
        for (index, row) in elements.enumerated() {
            guard row.account.utf8.count <= 64 else {
                throw RecordRejected(index: index, underlying: AccountNameTooLong(account: row.account))
            }
            rows.append(row)
        }
    }

    /// Exactly-once: stage the checkpoint's rows under the attempt's name. Otherwise: write
    /// them, before the worker commits the input positions.
    func prepare(_ attempt: CheckpointAttempt) throws {
        guard !rows.isEmpty else { return }
        if exactlyOnce {
            ledger.stage(rows, as: attempt.name)
            staged = attempt.name
        } else {
            ledger.append(rows)
        }
        rows = []
    }

    func preCommit(_ attempt: CheckpointAttempt) throws -> [UInt8]? {
        staged.map { Array($0.utf8) }
    }

    func commit(_ attempt: CheckpointAttempt, preCommitted: [UInt8]?) throws {
        staged = nil
        if let preCommitted { try finish(String(decoding: preCommitted, as: UTF8.self)) }
    }

    /// Forgets the rows no checkpoint staged; a staged batch is left to `recover`.
    func abort(_ attempt: CheckpointAttempt) {
        rows = []
        staged = nil
    }

    func recover(_ recovery: TaskRecovery) throws {
        if let preCommitted = recovery.preCommitted { try finish(String(decoding: preCommitted, as: UTF8.self)) }
        for name in ledger.stagedNames(prefix: recovery.taskPrefix) { ledger.discard(name) }
    }

    /// Publishes the batch `name`; done already when it was published before.
    private func finish(_ name: String) throws {
        guard ledger.publish(name) || ledger.isPublished(name) else { throw LedgerBatchMissing(name: name) }
    }
}

// MARK: The job

/// Each account's total per minute of journal time, from the journal into the ledger. The
/// journal's partitions hold each account whole, so `keyBy` needs no exchange.
func accountTotals(_ env: StreamEnvironment, journal: JournalSource, ledger: LedgerSink) {
    env.fromSource(journal, watermarks: .forBoundedOutOfOrderness(.seconds(5)), partitionedBy: \.account)
        .keyBy(\.account)
        .window(TumblingEventTimeWindows.of(seconds: 60))
        .aggregate(Sum(\.amount)) { account, window, total in LedgerRow(account: account, windowStart: window.start, total: total) }
        .sink(to: ledger)
}
