import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import Synchronization
import XCTest

/// ``CheckpointCatalog`` on Tansu: after an exactly-once job with a repartition stage ran, its
/// rows agree with what the group committed and what the checkpoint topics hold, read here
/// independently; a pointer or offset that names no manifest of its task is an error naming
/// topic, partition and offset.
final class CheckpointCatalogTests: KafkaJobTestCase {
    func testRowsAgreeWithTheGroupAndTheCheckpointTopicsAfterAnExactlyOnceJob() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let spec = try runPurchaseJob(broker: broker, admin: admin)
        let partitions = Int(PurchaseJob.partitions)
        let catalog = CheckpointCatalog(bootstrapServers: broker.bootstrap)

        let rows = try catalog.list(job: spec.job)
        XCTAssertEqual(
            rows.map(\.task), (0..<2).flatMap { stage in (0..<partitions).map { TaskID(stage: stage, partition: $0) } },
            "one row per task of both stages, in order")

        // The group's committed offsets, read here with a consumer of its own.
        let check = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: spec.job))
        defer { check.close() }
        let repartition = "\(spec.job)-1-repartition"
        var groupOffsets: [TopicPartition: Int64] = [:]
        for committed in try check.committed(rows.flatMap { row -> [TopicPartition] in
            let input = row.task.stage == 0 ? spec.input : repartition
            return [TopicPartition(row.checkpointSplit.topic, row.checkpointSplit.partition),
                    TopicPartition(input, Int32(row.task.partition))]
        }) where committed.offset >= 0 {
            groupOffsets[committed.topicPartition] = committed.offset
        }

        for row in rows {
            let label = "task \(row.task.stage).\(row.task.partition)"
            XCTAssertEqual(row.checkpointSplit, JobTopics(job: spec.job).checkpointSplit(of: row.task), label)
            let manifest = try XCTUnwrap(row.manifest, "\(label) committed a checkpoint")
            let pointer = try XCTUnwrap(row.pointer, label)
            XCTAssertEqual(pointer, groupOffsets[TopicPartition(row.checkpointSplit.topic, row.checkpointSplit.partition)], label)
            XCTAssertEqual(row.manifestOffset, pointer - 1, label)
            XCTAssertEqual(manifest.jobName, spec.job, label)
            XCTAssertEqual(manifest.task, row.task, label)
            XCTAssertGreaterThanOrEqual(manifest.sequence, 1, label)
            XCTAssertEqual(manifest.writer, "w0", label)
            let age = try XCTUnwrap(row.age(at: Date()), label)
            XCTAssertTrue(age >= .zero && age < .seconds(300), "\(label): taken during this test, \(age) ago")

            let expectedInput = Split(topic: row.task.stage == 0 ? spec.input : repartition, partition: Int32(row.task.partition))
            XCTAssertEqual(manifest.input, expectedInput, label)
            let groupInput = groupOffsets[TopicPartition(expectedInput.topic, expectedInput.partition)]
            XCTAssertNotNil(groupInput, "\(label): the group committed its input")
            XCTAssertEqual(manifest.inputPosition, groupInput, "\(label): the checkpoint resumes where the group committed")
            XCTAssertEqual(row.committedInputOffset, groupInput, label)
            XCTAssertEqual(row.inputAgrees, true, label)
            if row.task.stage == 0 {
                XCTAssertEqual(manifest.inputPosition, 500, "\(label): every input record read, the end of its partition")
            }

            // The chain: pieces before the manifest, in order, their sizes adding up.
            XCTAssertEqual(manifest.pieceOffsets, manifest.pieceOffsets.sorted(), label)
            XCTAssertEqual(Set(manifest.pieceOffsets).count, manifest.pieceOffsets.count, label)
            XCTAssertTrue(manifest.pieceOffsets.allSatisfy { $0 < pointer - 1 }, "\(label): pieces precede the manifest")
            XCTAssertLessThanOrEqual(manifest.checkpointBytes, manifest.chainBytes, label)
            XCTAssertLessThanOrEqual(manifest.fullSnapshotBytes, manifest.chainBytes, label)
            if manifest.isFull {
                XCTAssertEqual(manifest.chainStartSequence, manifest.sequence, label)
                XCTAssertEqual(manifest.checkpointBytes, manifest.chainBytes, "\(label): a full snapshot is the whole chain")
            } else {
                XCTAssertLessThan(manifest.chainStartSequence, manifest.sequence, label)
            }
            let sizes = try recordSizes(bootstrap: broker.bootstrap, split: row.checkpointSplit, through: pointer - 1)
            XCTAssertEqual(
                UInt64(manifest.pieceOffsets.map { sizes[$0] ?? 0 }.reduce(0, +)), manifest.chainBytes,
                "\(label): state bytes are the sizes of the pieces the manifest names, read back")
            if row.task.stage == 1 {
                // The 5 s window of all 2,000 purchases (2 s of event time) never fires: every
                // stage-1 task holds open windows of its users.
                XCTAssertGreaterThan(manifest.chainBytes, 0, "\(label) holds window state")
                XCTAssertFalse(manifest.pieceOffsets.isEmpty, label)
            }

            // inspect shows the same, at the committed pointer and at the explicit offset.
            XCTAssertEqual(try catalog.inspect(job: spec.job, task: row.task), row, label)
            XCTAssertEqual(try catalog.inspect(job: spec.job, task: row.task, manifestOffset: pointer - 1), row, label)
        }

        // An explicit offset holding a snapshot piece names topic, partition and offset.
        let stateful = try XCTUnwrap(rows.first { $0.task.stage == 1 })
        let piece = try XCTUnwrap(stateful.manifest?.pieceOffsets.first)
        XCTAssertThrowsError(try catalog.inspect(job: spec.job, task: stateful.task, manifestOffset: piece)) { error in
            guard case .unreadable(let task, let split, let offset, .wrongKind("manifest", "snapshot piece"))? =
                    error as? CheckpointCatalogError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(task, stateful.task)
            XCTAssertEqual(split, stateful.checkpointSplit)
            XCTAssertEqual(offset, piece)
        }

        // A pointer committed by hand (no member active) to the offset after that piece.
        let commit = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: spec.job))
        try commit.commit([TopicPartitionOffset(stateful.checkpointSplit.topic, stateful.checkpointSplit.partition, offset: piece + 1)])
        commit.close()
        XCTAssertThrowsError(try catalog.list(job: spec.job)) { error in
            let text = "\(error)"
            print("[\(name)] \(text)")
            guard case .unreadable(let task, let split, let offset, let reason)? = error as? CheckpointCatalogError else {
                return XCTFail(text)
            }
            XCTAssertEqual(task, stateful.task)
            XCTAssertEqual(split, stateful.checkpointSplit)
            XCTAssertEqual(offset, piece)
            XCTAssertEqual(reason, .wrongKind(expected: "manifest", found: "snapshot piece"))
            XCTAssertTrue(
                text.contains("topic \(split.topic) partition \(split.partition) offset \(piece)")
                    && text.contains("expected a manifest") && !text.contains("\n"),
                text)
        }
    }

    func testHandWrittenCheckpointsAndWhatIsWrongWithThem() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let catalog = CheckpointCatalog(bootstrapServers: broker.bootstrap)
        let unknown = uniqueName("no-such-job")
        XCTAssertThrowsError(try catalog.list(job: unknown)) { error in
            XCTAssertEqual(error as? CheckpointCatalogError, .unknownJob(job: unknown, bootstrap: broker.bootstrap))
            XCTAssertTrue("\(error)".contains(unknown) && "\(error)".contains(broker.bootstrap), "\(error)")
        }

        let written = try HandWrittenCheckpoints.write(
            bootstrap: broker.bootstrap, admin: admin, job: uniqueName("hand-job"), input: uniqueName("hand-input"))
        let split = { (partition: Int32) in Split(topic: written.topic, partition: partition) }
        let rows = try catalog.list(job: written.job)
        XCTAssertEqual(rows, [
            TaskCheckpointSummary(
                task: TaskID(stage: 0, partition: 0), checkpointSplit: split(0), pointer: 2, manifestOffset: 1,
                manifest: written.manifest, committedInputOffset: 17),
            TaskCheckpointSummary(
                task: TaskID(stage: 0, partition: 1), checkpointSplit: split(1), pointer: nil, manifestOffset: nil,
                manifest: nil, committedInputOffset: nil),
            TaskCheckpointSummary(
                task: TaskID(stage: 0, partition: 2), checkpointSplit: split(2), pointer: nil, manifestOffset: nil,
                manifest: nil, committedInputOffset: nil),
        ])
        XCTAssertEqual(rows.map(\.inputAgrees), [true, nil, nil])

        // The input offset moved by hand: the row says so; a restore would refuse it.
        try written.commit([TopicPartitionOffset(written.input, 0, offset: 20)], bootstrap: broker.bootstrap)
        let moved = try catalog.inspect(job: written.job, task: TaskID(stage: 0, partition: 0))
        XCTAssertEqual(moved.committedInputOffset, 20)
        XCTAssertEqual(moved.inputAgrees, false)

        func expect(_ task: TaskID, offset: Int64?, _ expected: CheckpointCatalogError, _ line: UInt = #line) {
            XCTAssertThrowsError(try catalog.inspect(job: written.job, task: task, manifestOffset: offset), line: line) { error in
                XCTAssertEqual(error as? CheckpointCatalogError, expected, line: line)
                print("[\(name)] \(error)")
            }
        }
        let task0 = TaskID(stage: 0, partition: 0), task2 = TaskID(stage: 0, partition: 2)
        expect(task0, offset: 0, .unreadable(
            task: task0, split: split(0), offset: 0, reason: .undecodable(.malformed("not a Sluice checkpoint record"))))
        expect(task2, offset: 0, .unreadable(
            task: task2, split: split(2), offset: 0, reason: .otherTask(record: "manifest", job: written.job, task: task0)))
        expect(task2, offset: 1, .unreadable(task: task2, split: split(2), offset: 1, reason: .tombstone))
        // Past the partition's end and before its start: no record, as a restore sees it.
        expect(task2, offset: 3, .unreadable(task: task2, split: split(2), offset: 3, reason: .absent))
        expect(task2, offset: -1, .unreadable(task: task2, split: split(2), offset: -1, reason: .absent))
        expect(TaskID(stage: 1, partition: 0), offset: nil, .unknownTask(
            job: written.job, task: TaskID(stage: 1, partition: 0), taskCounts: [0: 3]))
        expect(TaskID(stage: 0, partition: 3), offset: nil, .unknownTask(
            job: written.job, task: TaskID(stage: 0, partition: 3), taskCounts: [0: 3]))

        // Task 0.2's pointer committed by hand after the manifest of a newer format.
        try written.commit([TopicPartitionOffset(written.topic, 2, offset: 3)], bootstrap: broker.bootstrap)
        XCTAssertThrowsError(try catalog.list(job: written.job)) { error in
            XCTAssertEqual(
                error as? CheckpointCatalogError,
                .unreadable(task: task2, split: split(2), offset: 2, reason: .undecodable(.unknownVersion(written.newerVersion))))
            XCTAssertTrue("\(error)".contains("format version \(written.newerVersion)"), "\(error)")
        }
    }

    func testUnreachableBrokerIsNamed() throws {
        let address = "127.0.0.1:1"
        let catalog = CheckpointCatalog(bootstrapServers: address, timeout: .seconds(2))
        let started = ContinuousClock.now
        XCTAssertThrowsError(try catalog.list(job: "any-job")) { error in
            guard case .unreachable(let bootstrap, _)? = error as? CheckpointCatalogError else { return XCTFail("\(error)") }
            XCTAssertEqual(bootstrap, address)
            XCTAssertTrue("\(error)".hasPrefix("cannot reach Kafka at \(address): "), "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10), "gives up after its timeout")
    }

    // MARK: Helpers

    /// Runs the purchase job (a repartition stage, window state) over 2,000 records until the
    /// group committed all of them, and stops it gracefully.
    private func runPurchaseJob(broker: TestBroker, admin: KafkaAdmin) throws -> WorkerSpec {
        let spec = WorkerSpec(
            bootstrap: broker.bootstrap, input: uniqueName("purchases"), output: uniqueName("totals"),
            job: uniqueName("catalog-job"), workerID: "w0")
        try admin.createTopic(spec.input, partitions: PurchaseJob.partitions)
        try admin.createTopic(spec.output, partitions: 1)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        for index in 0..<2_000 {
            let (partition, timestamp, purchase) = PurchaseJob.purchase(index)
            try producer.send(
                topic: spec.input, partition: partition, key: nil, value: Array(try JSONEncoder().encode(purchase)),
                timestamp: timestamp)
        }
        try producer.flush()
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(300)
        let lastCommit = Mutex(ContinuousClock.now)
        configuration.checkpointObserver = { event in
            if case .committed = event { lastCommit.withLock { $0 = .now } }
        }
        let running = start(try PurchaseJob.build(spec: spec, configuration: configuration).build())
        let check = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: spec.job))
        defer { check.close() }
        let inputs = (0..<PurchaseJob.partitions).map { TopicPartition(spec.input, $0) }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try check.committed(inputs).map(\.offset) != [500, 500, 500, 500] {
            Thread.sleep(forTimeInterval: 0.2)
        }
        // Stage 1 applies an upstream transaction's records only once the commit marker of the
        // next one announces them; until then they wait in its inbox, outside its state. The
        // job goes quiet (idle tasks commit nothing) once the markers crossed and stage 1
        // checkpointed the window contents.
        while Date() < deadline, ContinuousClock.now - lastCommit.withLock({ $0 }) < .seconds(2) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        try running.stop()
        XCTAssertEqual(try check.committed(inputs).map(\.offset), [500, 500, 500, 500], "the job committed its whole input")
        return spec
    }

    /// The value size of every record of `split` up to `through`, read from the start with
    /// `read_uncommitted`.
    private func recordSizes(bootstrap: String, split: Split, through: Int64) throws -> [Int64: Int] {
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrap)
        configuration.isolationLevel = .readUncommitted
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { consumer.close() }
        try consumer.assign([TopicPartitionOffset(split.topic, split.partition, offset: KafkaOffset.beginning)])
        var sizes: [Int64: Int] = [:]
        var last: Int64 = -1
        let deadline = ContinuousClock.now + .seconds(30)
        while last < through, ContinuousClock.now < deadline {
            try consumer.poll(maxRecords: 1000, timeout: .milliseconds(200)) { record in
                sizes[record.offset] = record.value?.count ?? 0
                last = max(last, record.offset)
            }
        }
        XCTAssertGreaterThanOrEqual(last, through, "read \(split) through \(through)")
        return sizes
    }
}
