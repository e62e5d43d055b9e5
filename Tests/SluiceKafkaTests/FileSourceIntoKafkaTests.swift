import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceFile
import SluiceKafka
import XCTest

/// A directory's lines into Kafka exactly once, on Tansu: a job whose only source is a file
/// source, its splits assigned through the job's consumer group (a topic named after the source
/// stands for them) and their byte positions committed with each checkpoint. A continuous source
/// picks up files added while it runs; a bounded one is read exactly once by two worker processes
/// killed with SIGKILL again and again. The output is read as a read_committed consumer would
/// (the raw-batch audit, since Tansu does not filter aborted records).
final class FileSourceIntoKafkaTests: KafkaJobTestCase {
    func testAContinuousSourcePicksUpFilesAddedWhileItRuns() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let output = uniqueName("lines"), job = uniqueName("files-in"), sourceName = uniqueName("incoming")
        try admin.createTopic(output, partitions: 2)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("incoming"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var expected: [String] = []
        for file in 0..<3 { expected += try FileLinesJob.writeFile(file, lines: 200, in: directory) }

        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(300)
        let spec = WorkerSpec(
            bootstrap: broker.bootstrap, input: "", output: output, job: job, workerID: "solo",
            parameters: ["directory": directory.path, "source": sourceName, "splits": "3", "scanMillis": "200"],
            pipeline: .fileLines)
        let running = start(try FileLinesJob.build(spec: spec, configuration: configuration).build())
        let first = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: expected.count, timeout: 60)
        XCTAssertEqual(first.count, expected.count, "the files present at start")
        for file in 3..<8 {
            expected += try FileLinesJob.writeFile(file, lines: 150 + file, in: directory)
            Thread.sleep(forTimeInterval: 0.3)
        }
        let records = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: output, expect: expected.count, timeout: 60)
        let metrics = try running.stop()
        let lines = records.map { $0.valueString ?? "" }
        XCTAssertEqual(lines.count, expected.count, "every line once, the added files' too")
        XCTAssertEqual(lines.sorted(), expected.sorted())
        for record in records {
            let file = record.keyString ?? ""
            XCTAssertTrue(record.valueString?.hasPrefix("file \(Int(file.dropFirst(6).prefix(5)) ?? -1) ") == true, "keyed by its file: \(file)")
        }
        XCTAssertEqual(metrics.recordsRead, expected.count)

        // The stand-in topic has a partition per split, whose committed offset is the split's
        // position: one past the start of the last line of the split's last file.
        XCTAssertEqual(try admin.describeTopic(sourceName).partitions.count, 3)
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: job))
        defer { consumer.close() }
        let committed = try consumer.committed((0..<3).map { TopicPartition(sourceName, Int32($0)) })
        var expectedPositions: [Int32: Int64] = [:]
        var sizes: [Int32: Int64] = [:]
        for file in 0..<8 {
            let name = FileLinesJob.fileName(file)
            let size = Int64((try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)[.size] as! NSNumber).intValue)
            let split = Self.split(of: name, count: 3)
            let lastLine = FileLinesJob.line(file: file, index: file < 3 ? 199 : 150 + file - 1)
            expectedPositions[split] = sizes[split, default: 0] + size - Int64(lastLine.utf8.count + 1) + 1
            sizes[split, default: 0] += size
        }
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: committed.map { ($0.partition, $0.offset) }), expectedPositions)
    }

    /// FNV-1a of the path, as the file source places files (computed here independently).
    static func split(of path: String, count: Int) -> Int32 {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return Int32(hash % UInt64(count))
    }
}
