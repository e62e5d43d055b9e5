import Foundation
import Sluice
import Synchronization
import XCTest
@testable import SluiceFile

/// The file sink's writer driven through the participant contract as the worker drives it:
/// hidden part files made visible only by a committed checkpoint, rolling by size and time,
/// buckets, and recovery after a crash before or after the decision.
final class FileSinkTests: XCTestCase {
    static let task = TaskID(stage: 1, partition: 2)

    func context(_ guarantee: DeliveryGuarantee = .exactlyOnce, task: TaskID = task, job: String = "files-job") -> SinkTaskContext {
        SinkTaskContext(job: job, task: task, worker: "w", guarantee: guarantee, participantID: "3:sink")
    }

    func attempt(_ sequence: UInt64, incarnation: UInt64 = 7, task: TaskID = task) -> CheckpointAttempt {
        CheckpointAttempt(job: "files-job", task: task, sequence: sequence, incarnation: incarnation)
    }

    func lineSink(_ directory: TemporaryDirectory, rolling: RollingPolicy = RollingPolicy(),
                  bucket: @escaping @Sendable (String) throws -> String = { _ in "" }) -> FileSink<String> {
        FileSink(directory: directory.path, format: .text { $0 }, rolling: rolling, bucket: bucket)
    }

    /// Prepare, pre-commit and commit, as a checkpoint does.
    func checkpoint<Element>(_ writer: any SinkWriter<Element>, _ attempt: CheckpointAttempt) throws -> [UInt8]? {
        try writer.prepare(attempt)
        let bytes = try writer.preCommit(attempt)
        try writer.commit(attempt, preCommitted: bytes)
        return bytes
    }

    func testPartFilesStayHiddenUntilTheirCheckpointCommits() throws {
        let directory = try TemporaryDirectory("sink")
        let writer = try lineSink(directory).makeWriter(for: context())
        try writer.recover(TaskRecovery(job: "files-job", task: Self.task, checkpoint: nil, preCommitted: nil))
        try writer.write(["a", "b"])
        XCTAssertEqual(directory.partFiles(), [], "nothing visible while written")
        XCTAssertEqual(directory.hiddenFiles().count, 1)
        try writer.prepare(attempt(1))
        let preCommitted = try XCTUnwrap(try writer.preCommit(attempt(1)))
        XCTAssertEqual(directory.partFiles(), [], "nothing visible once prepared")
        let named = try JSONDecoder().decode([String].self, from: Data(preCommitted))
        XCTAssertEqual(named.count, 1)
        XCTAssertTrue(named[0].hasPrefix("part-files-job.1-2."), named[0])
        XCTAssertTrue(named[0].hasSuffix(".txt"), named[0])
        XCTAssertEqual(directory.hiddenFiles(), [".\(named[0]).inprogress"])
        try writer.commit(attempt(1), preCommitted: preCommitted)
        XCTAssertEqual(directory.partFiles(), named)
        XCTAssertEqual(directory.hiddenFiles(), [])
        XCTAssertEqual(try directory.lines(named[0]), ["a", "b"])
        XCTAssertNil(try checkpoint(writer, attempt(2)), "a checkpoint without lines names no file")
    }

    func testRollsBySizeKeepingEveryLineOnce() throws {
        let directory = try TemporaryDirectory("size")
        let writer = try lineSink(directory, rolling: RollingPolicy(maxPartSize: 20)).makeWriter(for: context())
        let lines = (0..<30).map { "line \($0)" } + [String(repeating: "x", count: 50)]
        try writer.write(Array(lines[..<10]))
        try writer.write(Array(lines[10...]))
        _ = try checkpoint(writer, attempt(1))
        // A line goes to a new file when the current one has lines and would pass 20 bytes.
        var expectedFiles = 0, size = 0
        for line in lines {
            let bytes = line.utf8.count + 1
            if size == 0 || size + bytes > 20 {
                expectedFiles += 1
                size = bytes
            } else {
                size += bytes
            }
        }
        let files = directory.partFiles()
        XCTAssertEqual(files.count, expectedFiles, files.description)
        var seen: [String] = []
        for file in files {
            let size = (try FileManager.default.attributesOfItem(atPath: "\(directory.path)/\(file)")[.size] as! NSNumber).intValue
            let content = try directory.lines(file)
            XCTAssertTrue(size <= 20 || content.count == 1, "\(file): \(size) bytes in \(content.count) lines")
            seen += content
        }
        XCTAssertEqual(seen.sorted(), lines.sorted())
        let counters = files.map { Int($0.split(separator: "-").last!.dropLast(4))! }
        XCTAssertEqual(Set(counters), Set(0..<expectedFiles))
        let inOrder = try counters.enumerated().sorted { $0.element < $1.element }.flatMap { try directory.lines(files[$0.offset]) }
        XCTAssertEqual(inOrder, lines, "the writer's files, by counter, hold its lines in order")
    }

    func testRollsAfterTheRolloverInterval() throws {
        let directory = try TemporaryDirectory("time")
        let start = ContinuousClock.now
        let now = Mutex(start)
        let sink = FileSink<String>(
            directory: directory.path, format: .text { $0 }, rolling: RollingPolicy(rolloverInterval: .seconds(10)),
            bucket: { _ in "" }, clock: { now.withLock { $0 } })
        let writer = try sink.makeWriter(for: context())
        try writer.write(["t0 a", "t0 b"])
        now.withLock { $0 = start + .seconds(9) }
        try writer.write(["t9"])
        now.withLock { $0 = start + .seconds(10) }
        try writer.write(["t10"])
        now.withLock { $0 = start + .seconds(25) }
        try writer.write(["t25"])
        _ = try checkpoint(writer, attempt(1))
        let contents = try directory.partFiles().map { try directory.lines($0) }
        XCTAssertEqual(Set(contents), [["t0 a", "t0 b", "t9"], ["t10"], ["t25"]])
    }

    func testEveryCheckpointClosesThePartFiles() throws {
        let directory = try TemporaryDirectory("checkpoint")
        let writer = try lineSink(directory).makeWriter(for: context())
        try writer.write(["one"])
        _ = try checkpoint(writer, attempt(1))
        try writer.write(["two"])
        _ = try checkpoint(writer, attempt(2))
        XCTAssertEqual(Set(try directory.partFiles().map { try directory.lines($0) }), [["one"], ["two"]])
    }

    func testBucketsAreDirectoriesUnderTheSinks() throws {
        let directory = try TemporaryDirectory("buckets")
        let sink = FileSink<(String, Int64)>(
            directory: directory.path, format: .text { "\($0.0)\t\($0.1)" },
            bucket: { FileSink<(String, Int64)>.day(ofMilliseconds: $0.1) })
        let writer = try sink.makeWriter(for: context())
        let day: Int64 = 86_400_000
        try writer.write([("a", 0), ("b", day - 1), ("c", day), ("d", 19_723 * day + 5)])
        _ = try checkpoint(writer, attempt(1))
        let byBucket = Dictionary(grouping: directory.partFiles()) { String($0.split(separator: "/").first!) }
        XCTAssertEqual(Set(byBucket.keys), ["1970-01-01", "1970-01-02", "2024-01-01"])
        XCTAssertEqual(try byBucket["1970-01-01"]!.flatMap { try directory.lines($0) }, ["a\t0", "b\t\(day - 1)"])
        XCTAssertEqual(try byBucket["2024-01-01"]!.flatMap { try directory.lines($0) }, ["d\t\(19_723 * day + 5)"])
    }

    func testDaysOfTheCivilCalendar() {
        XCTAssertEqual(FileSink<Int>.day(ofMilliseconds: 0), "1970-01-01")
        XCTAssertEqual(FileSink<Int>.day(ofMilliseconds: 951_782_400_000), "2000-02-29")
        XCTAssertEqual(FileSink<Int>.day(ofMilliseconds: 1_767_225_599_999), "2025-12-31")
        XCTAssertEqual(FileSink<Int>.day(ofMilliseconds: 1_767_225_600_000), "2026-01-01")
        XCTAssertEqual(FileSink<Int>.day(ofMilliseconds: -1), "1969-12-31")
    }

    func testAnInvalidBucketOrLineIsRefusedByIndex() throws {
        let directory = try TemporaryDirectory("refused")
        let writer = try lineSink(directory, bucket: { $0.hasPrefix("up") ? "../up" : "" }).makeWriter(for: context())
        XCTAssertThrowsError(try writer.write(["fine", "up and out"])) { error in
            let rejected = error as? RecordRejected
            XCTAssertEqual(rejected?.index, 1)
            XCTAssertEqual(rejected?.underlying as? FileConnectorError,
                           .invalidBucket("../up", reason: "a component starts with '.', which hides it (and '..' leaves the directory)"))
        }
        XCTAssertThrowsError(try writer.write(["two\nlines"])) { error in
            XCTAssertEqual((error as? RecordRejected)?.underlying as? FileConnectorError, .lineBreakInLine(index: 0))
        }
        _ = try checkpoint(writer, attempt(1))
        XCTAssertEqual(try directory.partLines(), ["fine"], "the lines before a refused one were written")
    }

    /// A crash after the decision: the next incarnation renames what the committed checkpoint
    /// names. A crash before it: what no committed checkpoint names is deleted.
    func testRecoveryFinishesTheCommittedCheckpointAndDeletesEveryOtherHiddenFileOfTheTask() throws {
        let directory = try TemporaryDirectory("recover")
        let sink = lineSink(directory, bucket: { $0.hasPrefix("b") ? "bucket" : "" })
        let crashed = try sink.makeWriter(for: context())
        try crashed.write(["a1", "b1"])
        try crashed.prepare(attempt(4))
        let committed = try XCTUnwrap(try crashed.preCommit(attempt(4)))
        // The worker's transaction committed checkpoint 4; the worker died before the renames,
        // with the next checkpoint prepared and more lines open.
        try crashed.write(["a2", "b2"])
        try crashed.prepare(attempt(5))
        try crashed.write(["a3"])
        // Another task's hidden file is none of this task's business.
        let other = try sink.makeWriter(for: context(task: TaskID(stage: 1, partition: 20)))
        try other.write(["other"])
        try other.prepare(attempt(1, task: TaskID(stage: 1, partition: 20)))
        XCTAssertEqual(directory.partFiles(), [])
        XCTAssertEqual(directory.hiddenFiles().count, 6)

        let recovered = try sink.makeWriter(for: context())
        let recovery = TaskRecovery(job: "files-job", task: Self.task, checkpoint: attempt(4), preCommitted: committed)
        try recovered.recover(recovery)
        XCTAssertEqual(Set(try directory.partLines()), ["a1", "b1"])
        XCTAssertEqual(directory.hiddenFiles().count, 1, "only the other task's file is left: \(directory.hiddenFiles())")
        XCTAssertTrue(directory.hiddenFiles()[0].hasPrefix(".part-files-job.1-20."))
        // Recovering again (a crash during recovery) changes nothing.
        try sink.makeWriter(for: context()).recover(recovery)
        XCTAssertEqual(Set(try directory.partLines()), ["a1", "b1"])
        XCTAssertEqual(directory.partFiles().count, 2)
    }

    func testACommittedPartFileThatVanishedStopsRecoveryNamingIt() throws {
        let directory = try TemporaryDirectory("vanished")
        let sink = lineSink(directory)
        let writer = try sink.makeWriter(for: context())
        try writer.write(["x"])
        let committed = try XCTUnwrap(try checkpoint(writer, attempt(1)))
        let file = directory.partFiles()[0]
        try FileManager.default.removeItem(atPath: "\(directory.path)/\(file)")
        let recovery = TaskRecovery(job: "files-job", task: Self.task, checkpoint: attempt(1), preCommitted: committed)
        XCTAssertThrowsError(try sink.makeWriter(for: context()).recover(recovery)) { error in
            XCTAssertEqual(error as? FileConnectorError,
                           .committedPartFileMissing(path: "\(directory.path)/\(file)", checkpoint: "\(attempt(1))"))
            XCTAssertEqual((error as? FileConnectorError)?.isFatal, true)
        }
    }

    /// An abort deletes what no checkpoint names; what a checkpoint staged stays for recovery,
    /// which alone knows whether the decision committed it.
    func testAnAbortLeavesStagedFilesToRecovery() throws {
        let directory = try TemporaryDirectory("abort")
        let sink = lineSink(directory)
        let writer = try sink.makeWriter(for: context())
        try writer.write(["staged"])
        try writer.prepare(attempt(1))
        let staged = try XCTUnwrap(try writer.preCommit(attempt(1)))
        try writer.write(["open"])
        writer.abort(attempt(1))
        XCTAssertEqual(directory.hiddenFiles().count, 1)
        // The decision had in fact committed checkpoint 1.
        try sink.makeWriter(for: context())
            .recover(TaskRecovery(job: "files-job", task: Self.task, checkpoint: attempt(1), preCommitted: staged))
        XCTAssertEqual(try directory.partLines(), ["staged"])
        XCTAssertEqual(directory.hiddenFiles(), [])
    }

    func testAtLeastOnceMakesFilesVisibleWhenPreparedAndRecoveryDropsTheUnprepared() throws {
        let directory = try TemporaryDirectory("at-least-once")
        let sink = lineSink(directory)
        let writer = try sink.makeWriter(for: context(.atLeastOnce))
        try writer.write(["flushed"])
        try writer.prepare(attempt(1))
        XCTAssertNil(try writer.preCommit(attempt(1)), "nothing for a manifest")
        XCTAssertEqual(try directory.partLines(), ["flushed"], "visible before the positions are committed")
        try writer.write(["unflushed"])
        try sink.makeWriter(for: context(.atLeastOnce))
            .recover(TaskRecovery(job: "files-job", task: Self.task, checkpoint: nil, preCommitted: nil))
        XCTAssertEqual(try directory.partLines(), ["flushed"])
        XCTAssertEqual(directory.hiddenFiles(), [], "the replayed lines' file is gone")
    }

    func testLineFormats() throws {
        struct Reading: Codable { var sensor: String; var celsius: Double }
        var buffer: [UInt8] = []
        try LineFormat<Reading>.jsonLines().append(Reading(sensor: "s1", celsius: 21.5), &buffer)
        XCTAssertEqual(try JSONDecoder().decode(Reading.self, from: Data(buffer)).celsius, 21.5)
        XCTAssertEqual(LineFormat<Reading>.jsonLines().fileExtension, ".jsonl")
        buffer = []
        try LineFormat<[String]>.csv { $0 }.append(["plain", "a,b", "say \"hi\"", "two\nlines"], &buffer)
        XCTAssertEqual(String(decoding: buffer, as: UTF8.self), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"")
        buffer = []
        let decimal = ClosureCodec<Int>(serialize: { Array(String($0).utf8) }, deserialize: { Int(String(decoding: $0, as: UTF8.self)) ?? 0 })
        try LineFormat<Int>.serialized(by: decimal, fileExtension: ".n").append(42, &buffer)
        XCTAssertEqual(buffer, Array("42".utf8))
    }
}
