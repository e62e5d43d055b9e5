import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// The keyed window job of ``RepartitionTests`` in two worker processes of one consumer
/// group (Tansu): the group splits input and repartition partitions between them, and
/// together they write exactly the expected windows.
///
/// Both workers own partitions before any input is written: keyed state is not checkpointed
/// yet (at-least-once), so a rebalance in the middle of a window would lose that window's state
/// on the worker giving the partition away. Moving state with its partition is the work of
/// exactly-once checkpoints, not of this test.
final class RepartitionWorkersTests: KafkaJobTestCase {
    func testTwoWorkerProcessesSplitPartitionsAndProduceTheSameResults() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("clicks"), output = uniqueName("counts"), jobName = uniqueName("click-counts")
        try admin.createTopic(input, partitions: RepartitionTests.inputPartitions)
        try admin.createTopic(output, partitions: 1)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("workers"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let workers = try (0..<2).map { id in
            let spec = WorkerSpec(bootstrap: broker.bootstrap, input: input, output: output, job: jobName, workerID: "w\(id)",
                                  parameters: ["directory": directory.path], pipeline: .clickCounts)
            return try WorkerProcess(spec: spec, directory: directory, incarnation: 1)
        }
        defer { for worker in workers { worker.kill() } }

        // Every partition (input and repartition) owned by exactly one worker, each owning some.
        let all = Set((0..<RepartitionTests.inputPartitions).flatMap { partition in
            [Split(topic: input, partition: partition), Split(topic: "\(jobName)-1-repartition", partition: partition)]
        })
        let deadline = ContinuousClock.now + .seconds(90)
        var owned: [Set<Split>] = []
        repeat {
            Thread.sleep(forTimeInterval: 0.2)
            owned = (0..<2).map { Self.readAssignment(directory.appendingPathComponent("w\($0).assigned")) }
        } while !(owned.allSatisfy { !$0.isEmpty } && owned[0].isDisjoint(with: owned[1]) && owned[0].union(owned[1]) == all)
            && ContinuousClock.now < deadline && workers.allSatisfy(\.isRunning)
        XCTAssertTrue(owned.allSatisfy { !$0.isEmpty }, "both workers own partitions: \(owned)")
        XCTAssertEqual(owned.count == 2 ? owned[0].union(owned[1]) : [], all, "together they own every partition once: \(owned)")
        print("[\(name)] worker 0 owns \(owned.first.map { $0.sorted() } ?? []), worker 1 owns \(owned.last.map { $0.sorted() } ?? [])")

        let expected = try RepartitionTests.produceInput(bootstrap: broker.bootstrap, topic: input)
        let results = try readAll(bootstrap: broker.bootstrap, topic: output, count: expected.count, timeout: .seconds(90))
        try Data().write(to: directory.appendingPathComponent("stop"))
        for (id, worker) in workers.enumerated() {
            worker.wait(timeout: 60) { !$0.isRunning }
            let status = worker.terminate()
            print("[\(name)] worker \(id):\n\(worker.indentedOutput())")
            XCTAssertEqual(status, 0, "worker \(id) failed")
            XCTAssertTrue(worker.output.contains("worker w\(id): "), "worker \(id) ran its job to the end")
        }

        let lines = results.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
            .filter { !$0.hasPrefix(RepartitionTests.endMarker) }.sorted()
        XCTAssertEqual(lines, expected, "exactly the expected windows, none missing, extra or doubled")
    }

    /// The splits listed in an assignment file, one `topic <tab> partition` a line.
    private static func readAssignment(_ file: URL) -> Set<Split> {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t")
            guard fields.count == 2, let partition = Int32(fields[1]) else { return nil }
            return Split(topic: String(fields[0]), partition: partition)
        })
    }
}
