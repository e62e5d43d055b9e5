import Foundation
import Sluice
import XCTest
@testable import SluiceFile

/// The file source driven as the worker drives a source: lines with their byte offsets, files
/// spread over splits, positions resumed, bounded ends, continuous discovery, and the lines of
/// a job run twice on one commit point, the second run starting where the first committed.
final class FileSourceTests: XCTestCase {
    struct Line: Equatable {
        var split: Int32
        var offset: Int64
        var text: String
        var file: String
    }

    /// Polls until `count` lines arrived (or, with `untilEnded`, every assigned split ended).
    func poll(_ source: FileSource, lines count: Int = .max, untilEnded: Bool = false,
              ended: inout Set<Split>, maxRecords: Int = 3) throws -> [Line] {
        var lines: [Line] = []
        var batch = SourceBatch<SourceRecord>()
        var idle = 0
        while lines.count < count, idle < 50 {
            batch.removeAll()
            try source.poll(maxRecords: maxRecords, timeout: .milliseconds(1), into: &batch)
            for chunk in batch.chunks {
                for (record, offset) in zip(chunk.values, chunk.offsets) {
                    XCTAssertEqual(record.offset, offset)
                    XCTAssertEqual(record.split, chunk.split)
                    let file = record.headers.first { $0.key == FileSource.fileHeader }.map { String(decoding: $0.value, as: UTF8.self) }
                    lines.append(Line(split: chunk.split.partition, offset: offset, text: String(decoding: record.value ?? [], as: UTF8.self),
                                      file: file ?? "?"))
                }
            }
            for split in batch.endedSplits {
                XCTAssertFalse(ended.contains(split), "\(split) ended twice")
                ended.insert(split)
            }
            idle = batch.count == 0 ? idle + 1 : 0
            if untilEnded, batch.count == 0, ended.count == source.splitCount { break }
        }
        return lines
    }

    func testReadsEveryLineOfEveryVisibleFileInPathOrder() throws {
        let directory = try TemporaryDirectory("source")
        try directory.write("b/c.txt", "x\n")
        try directory.write("a.txt", "one\ntwo\r\n\nlast")
        try directory.write(".hidden.txt", "not read\n")
        try directory.write(".tmp/y.txt", "not read either\n")
        try directory.write("empty.txt", "")
        let source = try FileSource(directory: directory.path)
        XCTAssertEqual(source.name, "files-\(URL(fileURLWithPath: directory.path).lastPathComponent)")
        XCTAssertEqual(source.splits(), [Split(topic: source.name, partition: 0)])
        try source.assign([SplitStart(source.splits()[0])])
        var ended: Set<Split> = []
        let lines = try poll(source, untilEnded: true, ended: &ended)
        XCTAssertEqual(lines, [
            Line(split: 0, offset: 0, text: "one", file: "a.txt"),
            Line(split: 0, offset: 4, text: "two", file: "a.txt"),
            Line(split: 0, offset: 9, text: "", file: "a.txt"),
            Line(split: 0, offset: 10, text: "last", file: "a.txt"),
            Line(split: 0, offset: 14, text: "x", file: "b/c.txt"),
        ])
        XCTAssertEqual(ended, Set(source.splits()))
        var batch = SourceBatch<SourceRecord>()
        try source.poll(maxRecords: 10, timeout: .zero, into: &batch)
        XCTAssertEqual(batch.count, 0)
        XCTAssertEqual(batch.endedSplits, [], "a split ends once")
    }

    func testLinesCarryTheirFilesModificationTime() throws {
        let directory = try TemporaryDirectory("mtime")
        try directory.write("a.txt", "a\n")
        let modified = Date(timeIntervalSince1970: 1_767_225_600.25)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: "\(directory.path)/a.txt")
        let source = try FileSource(directory: directory.path, name: "mtime")
        try source.assign([SplitStart(source.splits()[0])])
        var batch = SourceBatch<SourceRecord>()
        try source.poll(maxRecords: 10, timeout: .zero, into: &batch)
        XCTAssertEqual(batch.chunks.first?.timestamps, [1_767_225_600_250])
    }

    /// A position is a line's start (read it) or one past it (it was handled: read the next).
    func testResumesAtTheFirstLineStartingAtOrAfterAPosition() throws {
        let directory = try TemporaryDirectory("resume")
        try directory.write("a.txt", "one\ntwo\n")
        try directory.write("b.txt", "three\nfour")
        let source = try FileSource(directory: directory.path, name: "resume")
        let split = source.splits()[0]
        let all = ["one", "two", "three", "four"]
        let starts: [Int64] = [0, 4, 8, 14]
        for (index, start) in starts.enumerated() {
            for (position, from) in [(start, index), (start + 1, index + 1)] {
                source.revoke([split])
                try source.assign([SplitStart(split, at: position)])
                var ended: Set<Split> = []
                XCTAssertEqual(try poll(source, untilEnded: true, ended: &ended).map(\.text), Array(all[from...]), "from \(position)")
            }
        }
        source.revoke([split])
        XCTAssertThrowsError(try source.assign([SplitStart(split, at: 6)])) { error in
            XCTAssertEqual(error as? FileConnectorError,
                           .positionNotAtLineStart(split: "\(split)", position: 6, path: "\(directory.path)/a.txt"))
        }
        XCTAssertThrowsError(try source.assign([SplitStart(split, at: 19)]))
    }

    func testEachFileBelongsToOneSplitByItsPath() throws {
        let directory = try TemporaryDirectory("splits")
        var expected: [String: [String]] = [:]
        for file in 0..<20 {
            let name = "in-\(file).txt"
            let lines = (0..<(file % 4 + 1)).map { "\(name):\($0)" }
            try directory.write(name, lines.joined(separator: "\n") + "\n")
            expected[name] = lines
        }
        let source = try FileSource(directory: directory.path, name: "spread", splits: 3)
        try source.assign(source.splits().map { SplitStart($0) })
        var ended: Set<Split> = []
        let lines = try poll(source, untilEnded: true, ended: &ended, maxRecords: 4)
        XCTAssertEqual(ended.count, 3)
        XCTAssertEqual(lines.map(\.text).sorted(), expected.values.flatMap { $0 }.sorted())
        for line in lines {
            XCTAssertEqual(line.split, ListedFile.split(of: line.file, count: 3), "\(line.file) read by its split")
        }
        XCTAssertGreaterThan(Set(lines.map(\.split)).count, 1, "the files spread over several splits")
        for split in 0..<3 {
            let offsets = lines.filter { $0.split == split }.map(\.offset)
            XCTAssertEqual(offsets, offsets.sorted(), "offsets grow within split \(split)")
        }
    }

    func testLinesAcrossManyReadsAndTooLongLines() throws {
        let directory = try TemporaryDirectory("large")
        let lines = (0..<20_000).map { "line \($0) " + String(repeating: "z", count: $0 % 37) }
        try directory.write("big.txt", lines.joined(separator: "\n") + "\n")
        let source = try FileSource(directory: directory.path, name: "large")
        try source.assign([SplitStart(source.splits()[0])])
        var ended: Set<Split> = []
        XCTAssertEqual(try poll(source, untilEnded: true, ended: &ended, maxRecords: 1_000).map(\.text), lines)

        try directory.write("long.txt", String(repeating: "y", count: 300) + "\n")
        let strict = try FileSource(directory: directory.path, name: "strict", maxLineBytes: 100)
        try strict.assign([SplitStart(strict.splits()[0], at: Int64(lines.joined(separator: "\n").utf8.count + 1))])
        var batch = SourceBatch<SourceRecord>()
        XCTAssertThrowsError(try strict.poll(maxRecords: 10, timeout: .zero, into: &batch)) { error in
            XCTAssertEqual(error as? FileConnectorError, .lineTooLong(path: "\(directory.path)/long.txt", offset: 0, limit: 100))
        }
    }

    func testARewoundSplitIsReadAgainAndEndsAgain() throws {
        let directory = try TemporaryDirectory("rewind")
        try directory.write("a.txt", "1\n2\n3\n")
        let source = try FileSource(directory: directory.path, name: "rewind")
        let split = source.splits()[0]
        try source.assign([SplitStart(split)])
        var ended: Set<Split> = []
        XCTAssertEqual(try poll(source, untilEnded: true, ended: &ended).map(\.text), ["1", "2", "3"])
        try source.seek(split, to: 3)
        ended = []
        XCTAssertEqual(try poll(source, untilEnded: true, ended: &ended).map(\.text), ["3"])
        XCTAssertEqual(ended, [split])
    }

    func testContinuousDiscoveryReadsNewFilesAndRefusesOnesOutOfOrder() throws {
        let directory = try TemporaryDirectory("continuous")
        try directory.write("2026-01-01.txt", "a\nb\n")
        let source = try FileSource(directory: directory.path, name: "continuous", discovery: .continuous(scanInterval: .zero))
        XCTAssertFalse(source.isBounded)
        try source.assign([SplitStart(source.splits()[0])])
        var ended: Set<Split> = []
        XCTAssertEqual(try poll(source, lines: 2, ended: &ended).map(\.text), ["a", "b"])
        try directory.write(".2026-01-02.txt.partial", "not yet\n")
        try directory.write("2026-01-02.txt", "c\n")
        XCTAssertEqual(try poll(source, lines: 1, ended: &ended).map(\.text), ["c"])
        XCTAssertEqual(try poll(source, lines: 1, ended: &ended), [], "nothing new")
        XCTAssertEqual(ended, [], "a continuous source never ends")

        try directory.write("2025-12-31.txt", "late\n")
        var batch = SourceBatch<SourceRecord>()
        XCTAssertThrowsError(try source.poll(maxRecords: 10, timeout: .zero, into: &batch)) { error in
            XCTAssertEqual(error as? FileConnectorError, .fileOutOfOrder(
                path: "\(directory.path)/2025-12-31.txt", after: "\(directory.path)/2026-01-02.txt"))
        }
        try FileManager.default.removeItem(atPath: "\(directory.path)/2025-12-31.txt")
        try directory.write("2026-01-01.txt", "a\nb\nmore\n")
        XCTAssertThrowsError(try source.poll(maxRecords: 10, timeout: .zero, into: &batch)) { error in
            XCTAssertEqual(error as? FileConnectorError, .fileChanged(path: "\(directory.path)/2026-01-01.txt", detail: "4 bytes, now 9"))
        }
    }

    func testNamesMustBeTopicNames() {
        XCTAssertThrowsError(try FileSource(directory: "/tmp", name: "no spaces")) { error in
            XCTAssertEqual(error as? FileConnectorError, .invalidSourceName("no spaces"))
        }
        XCTAssertEqual(try FileSource(directory: "/data/in box/").name, "files-in_box")
    }

    /// At-least-once on one commit point: the second run starts each split where the first
    /// committed it, so it reads only the lines of files added since.
    func testARunResumesWhereTheLastRunCommitted() throws {
        let directory = try TemporaryDirectory("runs")
        var written: [String] = []
        func add(_ name: String, _ count: Int) throws {
            let lines = (0..<count).map { "\(name) \($0)" }
            try directory.write(name, lines.joined(separator: "\n") + "\n")
            written += lines
        }
        for file in 0..<6 { try add("a-\(file).txt", 5 + file) }
        let runtime = LocalRuntime()
        func run() throws -> [String] {
            let env = StreamEnvironment(jobName: "runs", runtime: runtime)
            let sink = CollectSink<String>()
            env.fromSource(try FileSource(directory: directory.path, name: "runs", splits: 2), deserializer: UTF8StringCodec())
                .sink(to: sink)
            try env.execute()
            return sink.elements
        }
        XCTAssertEqual(try run().sorted(), written.sorted())
        let first = written
        for file in 0..<4 { try add("b-\(file).txt", 3) }
        XCTAssertEqual(try run().sorted(), Array(written[first.count...]).sorted())
        XCTAssertEqual(try run(), [])
    }
}
