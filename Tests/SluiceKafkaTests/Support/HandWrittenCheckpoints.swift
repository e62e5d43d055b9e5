import Foundation
import RdKafka
import Sluice
import Synchronization

/// The checkpoint topic of a one-stage job that never ran, written record by record with a
/// plain producer, so each record is exactly what a test needs and sits at a known offset:
///
/// - partition 0 (task 0.0): offset 0 a record that is no checkpoint record, offset 1
///   ``manifest``; the pointer (2) and the manifest's input position (17) are committed in the
///   job's group, as a job's transaction would;
/// - partition 1 (task 0.1): nothing, no pointer;
/// - partition 2 (task 0.2): offset 0 the manifest of task 0.0, offset 1 a tombstone, offset 2
///   a manifest of task 0.2 in a newer format version; no pointer until a test commits one.
struct HandWrittenCheckpoints {
    let job: String
    let input: String
    /// `<job>-0-checkpoints`.
    let topic: String
    /// The manifest of task 0.0, at offset 1 of partition 0.
    let manifest: CheckpointManifest
    /// The format version of the manifest at offset 2 of partition 2.
    let newerVersion: UInt8

    /// Creates the topics, writes the records and commits task 0.0's offsets.
    static func write(bootstrap: String, admin: KafkaAdmin, job: String, input: String) throws -> HandWrittenCheckpoints {
        let topic = JobTopics(job: job).checkpoints(stage: 0)
        try admin.createTopic(topic, partitions: 3, config: ["cleanup.policy": "compact"])
        try admin.createTopic(input, partitions: 3)
        let manifest = CheckpointManifest(
            jobName: job, task: TaskID(stage: 0, partition: 0), sequence: 7, incarnation: 0xfeed, createdAt: 1_767_225_600_000,
            writer: "hand", isFull: false, chain: 0xc4a1, chainStartSequence: 5, pieceOffsets: [0], chainBytes: 1_536,
            fullSnapshotBytes: 1_024, checkpointBytes: 512, checkpointEntries: 9, input: Split(topic: input, partition: 0),
            inputPosition: 17,
            scalars: [.init(participant: "0:source-watermarks", bytes: [1, 2, 3]), .init(participant: "1:timers", bytes: [])])
        var newer = CheckpointManifest(
            jobName: job, task: TaskID(stage: 0, partition: 2), sequence: 1, incarnation: 1, createdAt: 1_767_225_600_000,
            writer: "hand", isFull: true, chain: 1, chainStartSequence: 1, pieceOffsets: [], chainBytes: 0,
            fullSnapshotBytes: 0, checkpointBytes: 0, checkpointEntries: 0, input: nil, inputPosition: nil, scalars: []
        ).encoded()
        // The header is the magic `SC`, the format version, the record kind: a future Sluice
        // writes a higher version there. Checked, so a change of the header fails here loudly.
        guard newer.count > 3, Array(newer[0..<2]) == Array("SC".utf8), newer[2] == CheckpointManifest.formatVersion else {
            throw JobTestError("the checkpoint record header is no longer `SC`, version, kind: \(newer.prefix(4))")
        }
        let newerVersion = CheckpointManifest.formatVersion + 1
        newer[2] = newerVersion
        let offsets = try produce(bootstrap: bootstrap, topic: topic, records: [
            (0, "junk", Array("not a checkpoint record".utf8)),
            (0, "manifest", manifest.encoded()),
            (2, "other", manifest.encoded()),
            (2, "gone", nil),
            (2, "newer", newer),
        ])
        guard offsets == [0, 1, 0, 1, 2] else { throw JobTestError("records landed at offsets \(offsets)") }
        let written = HandWrittenCheckpoints(job: job, input: input, topic: topic, manifest: manifest, newerVersion: newerVersion)
        try written.commit([TopicPartitionOffset(topic, 0, offset: 2), TopicPartitionOffset(input, 0, offset: 17)], bootstrap: bootstrap)
        return written
    }

    /// Commits `offsets` in the job's group by hand, as an operator tool would; no member of
    /// the group is active.
    func commit(_ offsets: [TopicPartitionOffset], bootstrap: String) throws {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: bootstrap, groupID: job))
        defer { consumer.close() }
        try consumer.commit(offsets)
    }

    /// Writes `records` (partition, key, value) in order; returns the offset each got.
    private static func produce(
        bootstrap: String, topic: String, records: [(partition: Int32, key: String, value: [UInt8]?)]
    ) throws -> [Int64] {
        let delivered = Mutex<[UInt: Int64]>([:])
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap)) { report in
            delivered.withLock { $0[report.token] = report.error == nil ? report.offset : -1 }
        }
        for (index, record) in records.enumerated() {
            // One at a time, so the offsets follow the list's order within each partition.
            try producer.send(
                topic: topic, partition: record.partition, key: Array(record.key.utf8), value: record.value, token: UInt(index))
            try producer.flush()
        }
        return delivered.withLock { reports in records.indices.map { reports[UInt($0)] ?? -1 } }
    }
}
