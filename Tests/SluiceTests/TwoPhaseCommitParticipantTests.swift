import Foundation
import SluiceTesting
import Synchronization
import XCTest
@testable import Sluice

/// The two-phase participant contract through the engine: the keyed window job of
/// ``ExactlyOnceEngineTests`` also writes its results through the line-file sink of the
/// "Joining a checkpoint" article (pending files renamed when the checkpoint commits), while
/// commits abort, the worker crashes before the decision, and the sink fails right after it
/// (between the Kafka commit and the rename, where a database sink would be between the commit
/// and `COMMIT PREPARED`). A new worker's recovery finishes what the committed checkpoint names
/// and deletes the rest: the visible files hold every result exactly once, and no pending file
/// is left.
final class TwoPhaseCommitParticipantTests: XCTestCase {
    /// The sink fails (a fatal, job-stopping error) in its `crashAt`-th phase-two commit of a
    /// staged file, after the worker's transaction committed.
    struct InjectedSinkCrash: ConnectorError, CustomStringConvertible {
        var isFatal: Bool { true }
        var description: String { "injected sink crash after the decision" }
    }

    /// The article's ``LineFileSink``, with a fault injected into the writers' phase two.
    final class FaultyLineFileSink: Sink, @unchecked Sendable {
        typealias Element = String
        let name = "lines"
        let base: LineFileSink
        let crashAt: Int?
        let commits = Atomic<Int>(0)

        init(directory: URL, crashAt: Int?) {
            base = LineFileSink(directory: directory)
            self.crashAt = crashAt
        }

        func makeWriter(for task: SinkTaskContext) throws -> any SinkWriter<String> {
            FaultyWriter(base: try base.makeWriter(for: task) as! LineFileWriter, sink: self)
        }
    }

    final class FaultyWriter: SinkWriter {
        let base: LineFileWriter
        unowned let sink: FaultyLineFileSink
        init(base: LineFileWriter, sink: FaultyLineFileSink) {
            self.base = base
            self.sink = sink
        }
        var participantID: String { base.participantID }
        func write(_ elements: [String]) throws { try base.write(elements) }
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

    private func runJob(on broker: MemoryBroker, directory: URL, sinkCrashAt: Int?) throws -> JobMetrics {
        let runtime = MemoryBrokerRuntime(broker: broker, ending: .atEndOffsets)
        let source = try runtime.source(topics: ["purchases"], maxRecordsPerSplit: 7)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .zero
        configuration.threads = 1
        configuration.restartStrategy = .fixedDelay(delay: .zero, maxAttempts: 1_000)
        let env = StreamEnvironment(jobName: "files", runtime: runtime, configuration: configuration)
        env.fromSource(source, deserializer: JSONCodec<ExactlyOnceEngineTests.Purchase>())
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(.milliseconds(ExactlyOnceEngineTests.windowMillis)))
            .aggregate(ExactlyOnceEngineTests.SumPurchases()) { user, window, totals in "\(user)\t\(window.start)\t\(totals.count)\t\(totals.sum)" }
            .sink(to: FaultyLineFileSink(directory: directory, crashAt: sinkCrashAt))
        return try env.execute()
    }

    private func run(failingCommits: Set<Int>, crashingCommit: Int? = nil, sinkCrashAt: Int? = nil, seed: UInt64,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-2pc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = MemoryBroker()
        broker.failCommits(failingCommits)
        if let crashingCommit { broker.crashAtCommit(crashingCommit) }
        let expected = try ExactlyOnceEngineTests.fill(broker, topic: "purchases", count: 1_000, seed: seed)
        var crashes = 0
        while true {
            do {
                // The replacement worker does not crash again where the first did.
                _ = try runJob(on: broker, directory: directory, sinkCrashAt: crashes == 0 ? sinkCrashAt : nil)
                break
            } catch JobError.connectorFailed(_, let underlying) where underlying is MemoryBroker.InjectedCrash || underlying is InjectedSinkCrash {
                crashes += 1
                XCTAssertLessThanOrEqual(crashes, 2, "crashed again: \(underlying)", file: file, line: line)
                guard crashes <= 2 else { return }
            }
        }
        let crashExpected = crashingCommit != nil || sinkCrashAt != nil
        XCTAssertEqual(crashes, crashExpected ? 1 : 0, "the worker crashed where told", file: file, line: line)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertEqual(names.filter { $0.hasSuffix(".pending") }, [], "recovery left no pending file", file: file, line: line)
        var lines: [String] = []
        for name in names where name.hasSuffix(".txt") {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            lines += text.split(separator: "\n").map(String.init)
        }
        XCTAssertEqual(lines.sorted(), expected, "every result exactly once in the visible files", file: file, line: line)
    }

    func testWithoutFailuresEveryResultIsVisibleOnce() throws {
        try run(failingCommits: [], seed: 1)
    }

    func testAbortedCheckpointsRollTheirStagedFilesBack() throws {
        for commit in stride(from: 2, through: 30, by: 4) {
            try run(failingCommits: [commit, commit + 3], seed: UInt64(commit))
        }
    }

    func testACrashBeforeTheDecisionLeavesNothingVisibleOfIt() throws {
        for commit in stride(from: 3, through: 30, by: 5) {
            try run(failingCommits: [], crashingCommit: commit, seed: UInt64(50 + commit))
        }
    }

    /// Between the worker's commit and the sink's phase two: the decision stands, so the next
    /// worker's recovery finishes the rename the manifest names.
    func testACrashAfterTheDecisionIsFinishedByRecovery() throws {
        for crash in [1, 2, 4, 6] {
            try run(failingCommits: [], sinkCrashAt: crash, seed: UInt64(100 + crash))
        }
    }
}

// The sink and writer of the "Joining a checkpoint" article (Sluice.docc/CheckpointParticipants.md),
// as written there.

final class LineFileSink: Sink {
    typealias Element = String
    let name = "lines"
    let directory: URL

    init(directory: URL) { self.directory = directory }

    func makeWriter(for task: SinkTaskContext) throws -> any SinkWriter<String> {
        LineFileWriter(directory: directory, participantID: task.participantID)
    }
}

final class LineFileWriter: SinkWriter {
    let directory: URL
    let participantID: String
    private var lines: [String] = []

    init(directory: URL, participantID: String) {
        self.directory = directory
        self.participantID = participantID
    }

    func write(_ elements: [String]) throws { lines += elements }

    private func pending(_ name: String) -> URL { directory.appendingPathComponent(".\(name).pending") }
    private func visible(_ name: String) -> URL { directory.appendingPathComponent("\(name).txt") }

    /// Phase one: the attempt's lines, durable under a hidden name.
    func prepare(_ attempt: CheckpointAttempt) throws {
        guard !lines.isEmpty else { return }
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: pending(attempt.name), options: .atomic)
        lines = []
    }

    /// What recovery needs: the attempt's name, when it staged a file.
    func preCommit(_ attempt: CheckpointAttempt) throws -> [UInt8]? {
        FileManager.default.fileExists(atPath: pending(attempt.name).path) ? Array(attempt.name.utf8) : nil
    }

    /// Phase two: the decision committed; make the file visible (again, harmlessly).
    func commit(_ attempt: CheckpointAttempt, preCommitted: [UInt8]?) throws {
        guard let preCommitted else { return }
        let name = String(decoding: preCommitted, as: UTF8.self)
        if FileManager.default.fileExists(atPath: pending(name).path) {
            try FileManager.default.moveItem(at: pending(name), to: visible(name))
        }
    }

    func abort(_ attempt: CheckpointAttempt) {
        lines = []
        try? FileManager.default.removeItem(at: pending(attempt.name))
    }

    /// Finish what the restored checkpoint named; drop every other pending file of this task.
    func recover(_ recovery: TaskRecovery) throws {
        if let checkpoint = recovery.checkpoint { try commit(checkpoint, preCommitted: recovery.preCommitted) }
        let prefix = "." + recovery.taskPrefix
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path)
        where file.hasPrefix(prefix) && file.hasSuffix(".pending") {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(file))
        }
    }
}
