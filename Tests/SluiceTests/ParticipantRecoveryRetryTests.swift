import Foundation
import SluiceTesting
import Synchronization
import XCTest
@testable import Sluice

/// A participant whose recovery fails for a while (a database sink whose server is away when
/// its task is built): the worker retries as its restart strategy allows, and every task whose
/// build failed, at the first assignment or in a rewind, is built and read again once the
/// recovery succeeds. The keyed window job of ``ExactlyOnceEngineTests`` writes through the
/// line-file sink of the "Joining a checkpoint" article; its files hold every result once.
final class ParticipantRecoveryRetryTests: XCTestCase {
    struct ServerAway: ConnectorError, CustomStringConvertible {
        var isFatal: Bool { false }
        var description: String { "the server is away" }
    }

    /// The article's sink, whose writers' recoveries fail at the calls `failing` names
    /// (counted over all writers, from 1).
    final class FlakyRecoverySink: Sink, @unchecked Sendable {
        typealias Element = String
        let name = "lines"
        let base: LineFileSink
        let failing: Set<Int>
        let recoveries = Atomic<Int>(0)

        init(directory: URL, failing: Set<Int>) {
            base = LineFileSink(directory: directory)
            self.failing = failing
        }

        func makeWriter(for task: SinkTaskContext) throws -> any SinkWriter<String> {
            FlakyWriter(base: try base.makeWriter(for: task) as! LineFileWriter, sink: self)
        }
    }

    final class FlakyWriter: SinkWriter {
        let base: LineFileWriter
        unowned let sink: FlakyRecoverySink
        init(base: LineFileWriter, sink: FlakyRecoverySink) {
            self.base = base
            self.sink = sink
        }
        var participantID: String { base.participantID }
        func write(_ elements: [String]) throws { try base.write(elements) }
        func prepare(_ attempt: CheckpointAttempt) throws { try base.prepare(attempt) }
        func preCommit(_ attempt: CheckpointAttempt) throws -> [UInt8]? { try base.preCommit(attempt) }
        func commit(_ attempt: CheckpointAttempt, preCommitted: [UInt8]?) throws { try base.commit(attempt, preCommitted: preCommitted) }
        func abort(_ attempt: CheckpointAttempt) { base.abort(attempt) }
        func recover(_ recovery: TaskRecovery) throws {
            if sink.failing.contains(sink.recoveries.add(1, ordering: .relaxed).newValue) { throw ServerAway() }
            try base.recover(recovery)
        }
    }

    /// The job's run, on a thread of its own so a worker that idles forever fails the test.
    final class Run: @unchecked Sendable {
        let job: Job
        let done = DispatchSemaphore(value: 0)
        var outcome: Result<JobMetrics, any Error>?
        init(_ job: Job) {
            self.job = job
            Thread { [self] in
                outcome = Result { try self.job.run() }
                done.signal()
            }.start()
        }
    }

    private func run(failing: Set<Int>, failingCommits: Set<Int> = [], seed: UInt64, file: StaticString = #filePath, line: UInt = #line) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-recovery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = MemoryBroker()
        broker.failCommits(failingCommits)
        let expected = try ExactlyOnceEngineTests.fill(broker, topic: "purchases", count: 1_000, seed: seed)
        let runtime = MemoryBrokerRuntime(broker: broker, ending: .atEndOffsets)
        let source = try runtime.source(topics: ["purchases"], maxRecordsPerSplit: 7)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .zero
        configuration.threads = 1
        configuration.restartStrategy = .fixedDelay(delay: .zero, maxAttempts: 1_000)
        let env = StreamEnvironment(jobName: "recovery", runtime: runtime, configuration: configuration)
        let sink = FlakyRecoverySink(directory: directory, failing: failing)
        env.fromSource(source, deserializer: JSONCodec<ExactlyOnceEngineTests.Purchase>())
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(.milliseconds(ExactlyOnceEngineTests.windowMillis)))
            .aggregate(ExactlyOnceEngineTests.SumPurchases()) { user, window, totals in "\(user)\t\(window.start)\t\(totals.count)\t\(totals.sum)" }
            .sink(to: sink)
        let run = Run(try env.build())
        guard run.done.wait(timeout: .now() + 60) == .success else {
            run.job.stop()
            _ = run.done.wait(timeout: .now() + 10)
            return XCTFail("the job did not finish: a task whose recovery failed was never built again", file: file, line: line)
        }
        let metrics = try XCTUnwrap(run.outcome, file: file, line: line).get()
        XCTAssertGreaterThanOrEqual(metrics.restarts, failing.count, "each failed recovery restarted the worker", file: file, line: line)
        XCTAssertGreaterThan(sink.recoveries.load(ordering: .relaxed), failing.max() ?? 0, file: file, line: line)
        var lines: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".txt") {
            lines += try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
        }
        XCTAssertEqual(lines.sorted(), expected, "every result exactly once", file: file, line: line)
    }

    /// The job's four keyed tasks each have a writer: the second task's recovery fails at the
    /// first assignment (the others are not built yet), then recoveries fail in the rewinds after.
    func testRecoveriesFailingAtTheFirstAssignmentAreRetried() throws {
        try run(failing: [2, 4, 7], seed: 7)
    }

    /// A commit fails; in the rewinds after it, recoveries fail for a while.
    func testRecoveriesFailingInARewindAreRetried() throws {
        try run(failing: [6, 9, 11, 12], failingCommits: [3], seed: 11)
    }
}
