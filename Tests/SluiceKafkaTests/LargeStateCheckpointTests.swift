import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// Large keyed state, on Tansu: more than 50 MB of value state checkpoints incrementally (each
/// checkpoint writes only the keys changed since the previous one, so its bytes follow the keys
/// changed, not the state size) and restores on another worker, which then answers from it.
final class LargeStateCheckpointTests: KafkaJobTestCase {
    static let keys = 60_000
    static let partitions: Int32 = 4

    func testLargeStateCheckpointsIncrementallyAndRestoresOnAnotherWorker() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("commands"), output = uniqueName("answers"), job = uniqueName("large-state")
        try admin.createTopic(input, partitions: Self.partitions)
        try admin.createTopic(output, partitions: 1)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("large"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func spawn(_ id: String) throws -> WorkerProcess {
            let spec = WorkerSpec(bootstrap: broker.bootstrap, input: input, output: output, job: job, workerID: id,
                                  checkpointIntervalMillis: 500, pipeline: .largeState)
            return try WorkerProcess(spec: spec, directory: directory, incarnation: 1)
        }
        var producerConfiguration = ProducerConfiguration(bootstrapServers: broker.bootstrap)
        producerConfiguration.client.properties["partitioner"] = "murmur2_random"
        let producer = try KafkaProducer(configuration: producerConfiguration)
        var versions = [Int](repeating: 0, count: Self.keys)
        func send(_ keys: some Sequence<Int>, probe: Bool = false) throws {
            for key in keys {
                if !probe { versions[key] += 1 }
                let name = "key-\(key)"
                try producer.send(topic: input, key: Array(name.utf8),
                                  value: Array(try JSONEncoder().encode(LargeStateJob.Command(key: name, version: versions[key], probe: probe))))
            }
            try producer.flush()
        }
        func committedEvents(_ worker: WorkerProcess) -> [(bytes: Int, entries: Int, ms: Int)] {
            worker.events("committed").compactMap { line in
                let fields = Dictionary(line.split(separator: " ").compactMap { part -> (String, Int)? in
                    let pair = part.split(separator: "=")
                    guard pair.count == 2, let value = Int(pair[1]) else { return nil }
                    return (String(pair[0]), value)
                }, uniquingKeysWith: { first, _ in first })
                guard let bytes = fields["bytes"], let entries = fields["entries"], let ms = fields["ms"] else { return nil }
                return (bytes, entries, ms)
            }
        }

        let first = try spawn("w0")
        defer { first.kill() }
        XCTAssertTrue(first.wait(timeout: 60) { !$0.events("committed").isEmpty }, first.indentedOutput())
        // Load every key, then wait for the checkpoint holding them all.
        try send(0..<Self.keys)
        XCTAssertTrue(first.wait(timeout: 180) { worker in
            committedEvents(worker).reduce(0) { $0 + $1.entries } >= Self.keys * 2
        }, "the loaded state was checkpointed:\n\(first.indentedOutput())")
        let loaded = committedEvents(first)
        let stateBytes = loaded.reduce(0) { $0 + $1.bytes }
        XCTAssertGreaterThanOrEqual(stateBytes, 50_000_000, "at least 50 MB of keyed state")

        // Touch 1% of the keys at a time, each batch alone in a checkpoint.
        var increments: [(keys: Int, bytes: Int, entries: Int)] = []
        var random = SystemRandomNumberGenerator()
        for _ in 0..<4 {
            let before = committedEvents(first).count
            let touched = Set((0..<Self.keys / 100).map { _ in Int.random(in: 0..<Self.keys, using: &random) })
            try send(touched)
            XCTAssertTrue(first.wait(timeout: 60) { committedEvents($0).dropFirst(before).contains { $0.entries > 0 } })
            Thread.sleep(forTimeInterval: 1.5)
            let after = committedEvents(first).dropFirst(before).filter { $0.entries > 0 }
            increments.append((touched.count, after.reduce(0) { $0 + $1.bytes }, after.reduce(0) { $0 + $1.entries }))
        }
        for increment in increments {
            // Two states per key (value and version): two entries per touched key, about a value's
            // encoded size each (JSON escapes its slashes), whatever the size of the whole state.
            XCTAssertEqual(increment.entries, increment.keys * 2, "an increment holds exactly the changed keys")
            XCTAssertGreaterThan(increment.bytes, increment.keys * LargeStateJob.valueSize, "every changed value is in it")
            XCTAssertLessThan(increment.bytes, increment.keys * LargeStateJob.valueSize * 3 / 2, "bytes follow the keys changed")
            XCTAssertLessThan(increment.bytes, stateBytes / 50, "an increment is a small part of the state")
        }

        // Hand over: the first worker checkpoints and leaves; another restores everything.
        XCTAssertEqual(first.terminate(), 0, first.indentedOutput())
        let second = try spawn("w1")
        defer { second.kill() }
        XCTAssertTrue(second.wait(timeout: 120) { $0.events("restored").count >= Int(Self.partitions) },
                      "the second worker restored every task:\n\(second.indentedOutput())")
        let restores = second.events("restored").map { line in
            (bytes: Int(line.split(separator: " ").first { $0.hasPrefix("bytes=") }!.dropFirst(6))!,
             ms: Int(line.split(separator: " ").first { $0.hasPrefix("ms=") }!.dropFirst(3))!)
        }
        let restoredBytes = restores.reduce(0) { $0 + $1.bytes }
        try send(0..<Self.keys, probe: true)
        let answers = try readAll(bootstrap: broker.bootstrap, topic: output, count: Self.keys, timeout: .seconds(180))
        XCTAssertEqual(second.terminate(), 0, second.indentedOutput())
        let expected = (0..<Self.keys).map { key in
            "key-\(key)\t\(versions[key])\t\(LargeStateJob.checksum(LargeStateJob.payload(key: "key-\(key)", version: versions[key])))"
        }.sorted()
        let lines = answers.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }.sorted()
        print("""
            [\(name)] state: \(stateBytes / 1_000_000) MB in \(loaded.count) checkpoints after loading \(Self.keys) keys
            [\(name)] increments (keys touched, bytes, entries): \(increments.map { "(\($0.keys), \($0.bytes), \($0.entries))" }.joined(separator: " "))
            [\(name)] restore on another worker: \(restores.count) tasks, \(restoredBytes / 1_000_000) MB, slowest task \(restores.map(\.ms).max() ?? 0) ms, sum \(restores.reduce(0) { $0 + $1.ms }) ms
            """)
        XCTAssertGreaterThanOrEqual(restoredBytes, 50_000_000, "the restore read the whole state")
        XCTAssertEqual(lines.count, Self.keys)
        XCTAssertTrue(lines == expected, "every key answers with its last version and value after the restore")
    }
}
