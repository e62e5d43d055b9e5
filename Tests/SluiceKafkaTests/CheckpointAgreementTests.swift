import Foundation
import Logging
import RdKafka
import Sluice
import SluiceKafka
import Synchronization
import XCTest

/// `sluice checkpoints list` (``CheckpointCatalog``) and a worker's restore name the same
/// checkpoint of every task when the broker shows an older pointer than a confirmation in the
/// checkpoint partition proves.
///
/// On librdkafka's in-process mock cluster, which keeps plain offset commits but none made in a
/// transaction: task 0.0 starts from a checkpoint written and committed here by hand (a plain
/// commit, before the job's group exists), then an exactly-once job commits several newer
/// checkpoints of both tasks in transactions. So the broker goes on showing task 0.0's first
/// pointer and no pointer of task 0.1, as Tansu shows transactional offsets late, while
/// confirmations prove the newer checkpoints. The newest confirmed checkpoint of each task is
/// computed here from the raw records; the catalog must name it, and a second worker of the
/// job must restore exactly it.
final class CheckpointAgreementTests: KafkaJobTestCase {
    func testTheCatalogNamesTheCheckpointARestoreUses() throws {
        let quiet = Logger(label: "agreement") { _ in SwiftLogNoOpLogHandler() }
        let cluster = try MockCluster(brokers: 1, logger: quiet)
        announce("in-process mock cluster")
        let bootstrap = cluster.bootstrapServers
        let job = uniqueName("agree"), input = uniqueName("agree-in"), output = uniqueName("agree-out")
        let topics = JobTopics(job: job)
        let tasks = [TaskID(stage: 0, partition: 0), TaskID(stage: 0, partition: 1)]
        let pointerSplits = tasks.map(topics.checkpointSplit(of:))
        try cluster.createTopic(input, partitions: 2)
        try cluster.createTopic(output, partitions: 1)
        // The mock cannot create topics (no controller): the one the job creates on a broker.
        try cluster.createTopic(topics.checkpoints(stage: 0), partitions: 2)

        // Task 0.0's first checkpoint, by hand: nothing read yet, and its pointer committed.
        let first = CheckpointManifest(
            jobName: job, task: tasks[0], sequence: 1, incarnation: 1, createdAt: 0, writer: "hand", isFull: true, chain: 1,
            chainStartSequence: 1, pieceOffsets: [], chainBytes: 0, fullSnapshotBytes: 0, checkpointBytes: 0,
            checkpointEntries: 0, input: Split(topic: input, partition: 0), inputPosition: 0, scalars: [])
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap), logger: quiet)
        try producer.send(topic: pointerSplits[0].topic, partition: pointerSplits[0].partition, key: nil, value: first.encoded())
        try producer.flush()
        let group = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: bootstrap, groupID: job), logger: quiet)
        defer { group.close() }
        try group.commit([
            TopicPartitionOffset(pointerSplits[0].topic, pointerSplits[0].partition, offset: 1),
            TopicPartitionOffset(input, 0, offset: 0),
        ])

        // The first worker: input arrives in bursts until every task committed checkpoint 3.
        let sequences = Mutex<[TaskID: UInt64]>([:])
        let worker = start(try Self.job(job, input: input, output: output, bootstrap: bootstrap, logger: quiet) { event in
            if case .committed(let report) = event {
                sequences.withLock { known in
                    for (task, committed) in report.sequences { known[task] = max(known[task] ?? 0, committed.sequence) }
                }
            }
        })
        let deadline = ContinuousClock.now + .seconds(60)
        var sent = 0
        while ContinuousClock.now < deadline, sequences.withLock({ known in tasks.contains { (known[$0] ?? 0) < 3 } }) {
            for partition in Int32(0)..<2 {
                try producer.send(topic: input, partition: partition, key: nil, value: Array("word \(sent)".utf8))
                sent += 1
            }
            try producer.flush()
            Thread.sleep(forTimeInterval: 0.15)
        }
        try worker.stop()
        let committed = sequences.withLock { $0 }
        XCTAssertTrue(tasks.allSatisfy { (committed[$0] ?? 0) >= 3 }, "every task committed checkpoint 3: \(committed)")

        // What the checkpoint partitions prove, read here record by record.
        var newest: [TaskID: (sequence: UInt64, manifestOffset: Int64)] = [:]
        for task in tasks {
            for (_, value) in try Self.readAll(bootstrap: bootstrap, split: topics.checkpointSplit(of: task), logger: quiet) {
                if case .confirmation(let confirmation)? = try? CheckpointRecord.decode(value), confirmation.task == task,
                   confirmation.sequence > newest[task]?.sequence ?? 0 {
                    newest[task] = (confirmation.sequence, confirmation.manifestOffset)
                }
            }
        }
        for task in tasks {
            let proven = try XCTUnwrap(newest[task], "\(task) has a confirmed checkpoint")
            XCTAssertGreaterThan(proven.sequence, first.sequence, "\(task): a confirmation proves more than the first checkpoint")
        }
        // The premise: the broker shows task 0.0's first pointer still, and none of task 0.1.
        let shown = try group.committed(pointerSplits.map { TopicPartition($0.topic, $0.partition) })
        XCTAssertEqual(shown.map(\.offset), [1, KafkaOffset.invalid], "the mock shows no pointer committed in a transaction")

        let rows = try CheckpointCatalog(bootstrapServers: bootstrap, logger: quiet).list(job: job)
        XCTAssertEqual(rows.map(\.task), tasks)
        for (task, row) in zip(tasks, rows) {
            let proven = try XCTUnwrap(newest[task])
            XCTAssertEqual(row.pointer, task == tasks[0] ? 1 : nil, "\(task): the pointer the broker shows")
            XCTAssertEqual(row.manifest?.sequence, proven.sequence, "\(task): the newest confirmed checkpoint")
            XCTAssertEqual(row.manifestOffset, proven.manifestOffset, "\(task)")
            XCTAssertFalse(row.isNamedByGroup, "\(task): newer than the broker's pointer")
            XCTAssertNil(row.inputAgrees, "\(task): a restore checks no input offset the pointer does not name")
        }

        // A second worker restores: from exactly the checkpoints the catalog named.
        let restored = Mutex<[TaskID: RestoreReport]>([:])
        let second = start(try Self.job(job, input: input, output: output, bootstrap: bootstrap, logger: quiet) { event in
            if case .restored(let report) = event { restored.withLock { $0[report.task] = report } }
        })
        let restoreDeadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < restoreDeadline, restored.withLock({ $0.count }) < tasks.count {
            Thread.sleep(forTimeInterval: 0.1)
        }
        try second.stop()
        let reports = restored.withLock { $0 }
        for (task, row) in zip(tasks, rows) {
            let report = try XCTUnwrap(reports[task], "\(task) was restored")
            print("[\(name)] \(task): catalog sequence \(row.manifest?.sequence ?? 0) at offset \(row.manifestOffset ?? -1), broker pointer \(row.pointer.map(String.init) ?? "none"); restored sequence \(report.sequence) at pointer \(report.pointer)")
            XCTAssertEqual(report.sequence, row.manifest?.sequence, "\(task): the catalog names the checkpoint the restore uses")
            XCTAssertEqual(report.pointer, row.manifestOffset.map { $0 + 1 }, "\(task)")
        }
    }

    // MARK: Helpers

    /// An exactly-once job that upper-cases its input.
    private static func job(
        _ name: String, input: String, output: String, bootstrap: String, logger: Logger,
        observer: @escaping @Sendable (CheckpointEvent) -> Void
    ) throws -> Job {
        let kafka = try KafkaRuntime(bootstrapServers: bootstrap, workerID: "w0", consumer: groupOptions, logger: logger)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(100)
        configuration.checkpointObserver = observer
        let env = StreamEnvironment(jobName: name, runtime: kafka, configuration: configuration)
        env.fromSource(try kafka.source(topics: [input]), deserializer: UTF8StringCodec())
            .map { $0.uppercased() }
            .sink(to: kafka.sink(topic: output)) { SinkRecord(value: Array($0.utf8)) }
        return try env.build()
    }

    /// Every record of `split` with a value, by offset, records of any transaction included.
    private static func readAll(bootstrap: String, split: Split, logger: Logger) throws -> [(Int64, [UInt8])] {
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrap)
        configuration.isolationLevel = .readUncommitted
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        defer { consumer.close() }
        let partition = TopicPartition(split.topic, split.partition)
        let end = try consumer.watermarks(partition).high
        try consumer.assign([TopicPartitionOffset(split.topic, split.partition, offset: KafkaOffset.beginning)])
        var records: [(Int64, [UInt8])] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, (try consumer.position([partition]).first?.offset ?? -1) < end {
            for record in try consumer.poll(timeout: .milliseconds(100)) {
                if let value = record.value { records.append((record.offset, value)) }
            }
        }
        guard (try consumer.position([partition]).first?.offset ?? -1) >= end else {
            throw JobTestError("read \(split) only to \(try consumer.position([partition])), not to its end \(end)")
        }
        return records
    }
}
