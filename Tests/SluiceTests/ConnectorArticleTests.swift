import Foundation
import Synchronization
import XCTest
@testable import Sluice
import SluiceTesting

/// The connector of the "Writing a connector" article (``JournalSource`` and ``LedgerSink``)
/// as the article shows it: every code block of the article is the code compiled here; a bounded
/// journal into the ledger at least once; an unbounded one whose sealed partitions close their
/// windows without another entry; and exactly once through aborted commits, crashes before the
/// decision, and a sink failing right after it, the ledger holding every total once and no
/// staged batch left.
final class ConnectorArticleTests: XCTestCase {
    static let article = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/Sluice/Sluice.docc/WritingAConnector.md")
    static let code = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("ConnectorArticle.swift")

    func testEveryCodeBlockOfTheArticleIsTheTestedCode() throws {
        let article = try String(contentsOf: Self.article, encoding: .utf8)
        let code = try String(contentsOf: Self.code, encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in article.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "```swift" {
                current = []
            } else if line == "```", let block = current {
                blocks.append(block.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        XCTAssertGreaterThanOrEqual(blocks.count, 5)
        for block in blocks {
            XCTAssertTrue(code.contains(block), "a block of the article is not in ConnectorArticle.swift:\n\(block)")
        }
    }

    /// `count` entries of 12 accounts over 10 minutes of journal time, spread over the journal's
    /// partitions by account.
    static func fill(_ journal: Journal, count: Int) -> [LedgerRow] {
        var totals: [String: Int] = [:]
        for index in 0..<count {
            let entry = JournalEntry(account: "acct-\(index * 7 % 12)", amount: index % 97 + 1, time: Int64(index) * 600_000 / Int64(count))
            journal.append(entry)
            totals["\(entry.account)|\(entry.time - entry.time % 60_000)", default: 0] += entry.amount
        }
        return totals.map { key, total in
            let parts = key.split(separator: "|")
            return LedgerRow(account: String(parts[0]), windowStart: Int64(parts[1])!, total: total)
        }.sorted(by: Self.order)
    }

    static func order(_ first: LedgerRow, _ second: LedgerRow) -> Bool {
        (first.account, first.windowStart, first.total) < (second.account, second.windowStart, second.total)
    }

    func testABoundedJournalIntoTheLedger() throws {
        let journal = Journal(partitions: 4)
        let expected = Self.fill(journal, count: 3_000)
        let ledger = Ledger()
        var configuration = JobConfiguration()
        configuration.batchSize = 100
        let env = StreamEnvironment(jobName: "totals", configuration: configuration)
        accountTotals(env, journal: JournalSource(journal: journal, bounded: true), ledger: LedgerSink(ledger: ledger))
        XCTAssertEqual(try env.plan().stages.count, 1, "keyBy on the journal's own partitioning needs no exchange")
        try env.execute()
        XCTAssertEqual(ledger.rows.sorted(by: Self.order), expected)
        XCTAssertEqual(ledger.stagedNames(prefix: ""), [])
    }

    /// Entries of minutes 0 and 1 in every partition, then one entry of minute 5 in one
    /// partition: only that partition's watermark passes minute 1. Sealing every partition
    /// through the end of minute 1 closes the other partitions' minute-1 windows without
    /// another entry.
    func testSealedPartitionsCloseTheirWindowsWithoutAnotherEntry() throws {
        let journal = Journal(partitions: 3)
        let accounts = (0..<9).map { "acct-\($0)" }
        XCTAssertEqual(Set(accounts.map(journal.partition(of:))).count, 3, "the accounts span every partition")
        for account in accounts {
            journal.append(JournalEntry(account: account, amount: 1, time: 10_000))
            journal.append(JournalEntry(account: account, amount: 2, time: 100_000))
        }
        let mover = accounts[0]
        journal.append(JournalEntry(account: mover, amount: 5, time: 300_000))
        let ledger = Ledger()
        var configuration = JobConfiguration()
        configuration.pollTimeout = .milliseconds(5)
        let env = StreamEnvironment(jobName: "sealed", configuration: configuration)
        accountTotals(env, journal: JournalSource(journal: journal, bounded: false), ledger: LedgerSink(ledger: ledger))
        let running = RunningJob(try env.build())
        defer { running.job.stop() }

        let moverPartition = journal.partition(of: mover)
        let moved = Set(accounts.filter { journal.partition(of: $0) == moverPartition })
        func rows(minute: Int64) -> Set<String> {
            Set(ledger.rows.filter { $0.windowStart == minute * 60_000 }.map(\.account))
        }
        XCTAssertTrue(wait { rows(minute: 0) == Set(accounts) && rows(minute: 1) == moved }, "\(ledger.rows)")
        XCTAssertEqual(rows(minute: 1), moved, "idle partitions hold their minute-1 windows back")
        for partition in 0..<3 { journal.seal(partition, through: 119_999) }
        XCTAssertTrue(wait { rows(minute: 1) == Set(accounts) }, "\(ledger.rows)")
        XCTAssertEqual(ledger.rows.filter { $0.windowStart == 60_000 }.map(\.total), Array(repeating: 2, count: accounts.count))
        XCTAssertEqual(rows(minute: 5), [], "minute 5 is neither sealed nor passed")
        running.job.stop()
        XCTAssertTrue(wait { running.outcome.withLock { $0 } != nil })
        _ = try running.outcome.withLock { $0 }?.get()
    }

    /// A job running on a thread of its own.
    final class RunningJob: @unchecked Sendable {
        let job: Job
        let outcome = Mutex<Result<JobMetrics, any Error>?>(nil)

        init(_ job: Job) {
            self.job = job
            Thread { [self] in
                let result = Result { try self.job.run() }
                outcome.withLock { $0 = result }
            }.start()
        }
    }

    private func wait(_ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }

    // MARK: Exactly once

    struct InjectedSinkCrash: ConnectorError, CustomStringConvertible {
        var isFatal: Bool { true }
        var description: String { "injected ledger failure after the decision" }
    }

    /// The article's sink, its writers failing their `crashAt`-th publish after the decision.
    final class FaultyLedgerSink: Sink, @unchecked Sendable {
        typealias Element = LedgerRow
        let name = "ledger"
        let base: LedgerSink
        let crashAt: Int?
        let commits = Atomic<Int>(0)

        init(ledger: Ledger, crashAt: Int?) {
            base = LedgerSink(ledger: ledger)
            self.crashAt = crashAt
        }

        func makeWriter(for task: SinkTaskContext) throws -> any SinkWriter<LedgerRow> {
            FaultyWriter(base: try base.makeWriter(for: task), sink: self)
        }
    }

    final class FaultyWriter: SinkWriter {
        let base: any SinkWriter<LedgerRow>
        unowned let sink: FaultyLedgerSink
        init(base: any SinkWriter<LedgerRow>, sink: FaultyLedgerSink) {
            self.base = base
            self.sink = sink
        }
        var participantID: String { base.participantID }
        func write(_ elements: [LedgerRow]) throws { try base.write(elements) }
        func prepare(_ attempt: CheckpointAttempt) throws { try base.prepare(attempt) }
        func preCommit(_ attempt: CheckpointAttempt) throws -> [UInt8]? { try base.preCommit(attempt) }
        func commit(_ attempt: CheckpointAttempt, preCommitted: [UInt8]?) throws {
            if preCommitted != nil, sink.commits.add(1, ordering: .relaxed).newValue == sink.crashAt {
                throw InjectedSinkCrash()
            }
            try base.commit(attempt, preCommitted: preCommitted)
        }
        func abort(_ attempt: CheckpointAttempt) { base.abort(attempt) }
        func recover(_ recovery: TaskRecovery) throws { try base.recover(recovery) }
    }

    /// Runs the job until it ends, a new worker after each injected crash, on one broker (the
    /// journal's positions and the checkpoints) and one ledger. The job reads no topic of the
    /// broker: its runtime's group assigns the journal's splits.
    private func runExactlyOnce(failingCommits: Set<Int> = [], crashingCommit: Int? = nil, sinkCrashAt: Int? = nil,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let journal = Journal(partitions: 3)
        let expected = Self.fill(journal, count: 2_000)
        let ledger = Ledger()
        let broker = MemoryBroker()
        broker.failCommits(failingCommits)
        if let crashingCommit { broker.crashAtCommit(crashingCommit) }
        var crashes = 0
        while true {
            var configuration = JobConfiguration()
            configuration.checkpointInterval = .zero
            configuration.batchSize = 50
            configuration.threads = 1
            configuration.restartStrategy = .fixedDelay(delay: .zero, maxAttempts: 1_000)
            let env = StreamEnvironment(jobName: "ledger", runtime: MemoryBrokerRuntime(broker: broker), configuration: configuration)
            let sink = FaultyLedgerSink(ledger: ledger, crashAt: crashes == 0 ? sinkCrashAt : nil)
            env.fromSource(JournalSource(journal: journal, bounded: true), watermarks: .forBoundedOutOfOrderness(.seconds(5)),
                           partitionedBy: \.account)
                .keyBy(\.account)
                .window(TumblingEventTimeWindows.of(seconds: 60))
                .aggregate(Sum(\.amount)) { account, window, total in LedgerRow(account: account, windowStart: window.start, total: total) }
                .sink(to: sink)
            do {
                try env.execute()
                break
            } catch JobError.connectorFailed(_, let underlying) where underlying is MemoryBroker.InjectedCrash || underlying is InjectedSinkCrash {
                crashes += 1
                guard crashes <= 2 else { return XCTFail("crashed again: \(underlying)", file: file, line: line) }
            }
        }
        XCTAssertEqual(crashes, crashingCommit != nil || sinkCrashAt != nil ? 1 : 0, "crashed where told", file: file, line: line)
        XCTAssertEqual(ledger.stagedNames(prefix: ""), [], "recovery left no staged batch", file: file, line: line)
        XCTAssertEqual(ledger.rows.sorted(by: Self.order), expected, "every total once", file: file, line: line)
    }

    func testExactlyOnceWithoutFailures() throws {
        try runExactlyOnce()
    }

    func testAbortedCommitsDiscardTheirStagedBatches() throws {
        for commit in stride(from: 3, through: 30, by: 9) { try runExactlyOnce(failingCommits: [commit, commit + 2]) }
    }

    func testACrashBeforeTheDecisionPublishesNothingOfIt() throws {
        for commit in stride(from: 4, through: 30, by: 9) { try runExactlyOnce(crashingCommit: commit) }
    }

    func testAFailureAfterTheDecisionIsFinishedByRecovery() throws {
        for crash in [1, 3, 7] { try runExactlyOnce(sinkCrashAt: crash) }
    }
}
