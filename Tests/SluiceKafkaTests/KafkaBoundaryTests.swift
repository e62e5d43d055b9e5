import BrokerRig
import Foundation
import RdKafka
import Sluice
import SluiceKafka
import Synchronization
import XCTest

/// The Kafka boundary on Tansu, exactly-once: the source hands the chain records whose every
/// field (topic, partition, offset, timestamp, key, value, headers) is what was produced and
/// what a plain consumer copying each record reads; the sink writes runs of batchable records
/// (no headers, no timestamp) and the records between them in one transaction, none lost,
/// doubled or reordered.
final class KafkaBoundaryTests: KafkaJobTestCase {
    /// The source records the job saw, in the order its tasks saw them.
    final class Seen: Sendable {
        let records = Mutex<[SourceRecord]>([])
    }

    /// Delivery reports of the input, by token.
    final class Offsets: Sendable {
        let byToken = Mutex<[UInt: (partition: Int32, offset: Int64)]>([:])
    }

    /// Input record `i`: null or empty keys and values among unique ones (each record stays
    /// identifiable by its key or, where the key is special, its value), headers with repeated
    /// names, a null and an empty value, and none on runs of nine records, so the sink meets
    /// runs of batchable records.
    static func input(_ i: Int, base: Int64) -> (partition: Int32, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader], timestamp: Int64) {
        let key: [UInt8]? = switch i % 6 {
        case 0: nil
        case 1: []
        default: Array("k\(i)".utf8)
        }
        let value: [UInt8]? = switch (i % 6 >= 2, i % 7) {
        case (true, 2): nil
        case (true, 3): []
        default: Array("v\(i)".utf8)
        }
        let headers: [KafkaHeader] = if (i / 9) % 2 == 0 {
            []
        } else {
            switch i % 3 {
            case 0: [KafkaHeader("h", "x\(i)")]
            case 1: [KafkaHeader("h", "a"), KafkaHeader("h", nil), KafkaHeader("e", [])]
            default: [KafkaHeader("trace", "t\(i)")]
            }
        }
        return (Int32(i % 3), key, value, headers, base + Int64(i) * 10)
    }

    func testSourceRecordsCarryEveryFieldAndTheSinkWritesBatchedAndSingleRecordsInOrder() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("boundary-in"), output = uniqueName("boundary-out"), jobName = uniqueName("boundary")
        try admin.createTopic(input, partitions: 3)
        try admin.createTopic(output, partitions: 1)
        let count = 90, base: Int64 = 1_767_225_600_000
        // One record per batch, so Tansu's high watermark is the end offset (see BoundedRunTests).
        var producerConfiguration = ProducerConfiguration(bootstrapServers: broker.bootstrap)
        producerConfiguration.client.properties["batch.num.messages"] = "1"
        let offsets = Offsets()
        let producer = try KafkaProducer(configuration: producerConfiguration) { report in
            if report.error == nil { offsets.byToken.withLock { $0[report.token] = (report.partition, report.offset) } }
        }
        for i in 0..<count {
            let record = Self.input(i, base: base)
            try producer.send(topic: input, partition: record.partition, key: record.key, value: record.value,
                              headers: record.headers, timestamp: record.timestamp, token: UInt(i + 1))
        }
        try producer.flush()
        let places = offsets.byToken.withLock { $0 }
        XCTAssertEqual(places.count, count, "every input record delivered")
        // What the source must hand out, computed from what was produced: a null header value
        // arrives as empty bytes, as RecordHeader has no null.
        let expected = (0..<count).map { i -> SourceRecord in
            let record = Self.input(i, base: base)
            let place = places[UInt(i + 1)]!
            return SourceRecord(
                topic: input, partition: place.partition, offset: place.offset, timestamp: record.timestamp,
                key: record.key, value: record.value,
                headers: record.headers.map { RecordHeader(key: $0.key, value: $0.value ?? []) })
        }.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }

        let seen = Seen()
        let kafka = try KafkaRuntime(
            bootstrapServers: broker.bootstrap, guarantee: .exactlyOnce, workerID: "w0", consumer: Self.groupOptions)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(300)
        configuration.restartStrategy = .none
        let env = StreamEnvironment(jobName: jobName, runtime: kafka, configuration: configuration)
        env.fromSource(try kafka.source(topics: [input], ending: .latestAtStart))
            .map { record -> SourceRecord in
                seen.records.withLock { $0.append(record) }
                return record
            }
            .sink(to: kafka.sink(topic: output)) { record in
                // Without headers, also without a timestamp: those records are batchable.
                SinkRecord(key: record.key, value: record.value, headers: record.headers,
                           timestamp: record.headers.isEmpty ? nil : record.timestamp)
            }
        let started = Int64(Date().timeIntervalSince1970 * 1000)
        let metrics = try start(try env.build()).waitForEnd()
        let ended = Int64(Date().timeIntervalSince1970 * 1000)
        XCTAssertEqual(metrics.recordsRead, count)

        let handed = seen.records.withLock { $0 }.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
        XCTAssertEqual(handed.count, count)
        for (got, want) in zip(handed, expected) {
            XCTAssertEqual(got, want, "source record \(want.partition):\(want.offset), every field")
        }
        // The same records as a plain consumer copying each one out of librdkafka reads them.
        let copied = try readAll(bootstrap: broker.bootstrap, topic: input, count: count).map { record in
            SourceRecord(
                topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp ?? 0,
                key: record.key, value: record.value, headers: record.headers.map { RecordHeader(key: $0.key, value: $0.value ?? []) })
        }.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
        XCTAssertEqual(handed, copied, "the source's records equal a copying consumer's")

        let written = try readAll(bootstrap: broker.bootstrap, topic: output, count: count).sorted { $0.offset < $1.offset }
        XCTAssertEqual(written.count, count, "each record written once")
        struct Identity: Hashable { var key: [UInt8]?; var value: [UInt8]? }
        let source = Dictionary(uniqueKeysWithValues: expected.map { (Identity(key: $0.key, value: $0.value), $0) })
        var lastOffset: [Int32: Int64] = [:]
        var matched = Set<Identity>()
        for record in written {
            let identity = Identity(key: record.key, value: record.value)
            guard let origin = source[identity] else {
                XCTFail("written record \(record.offset) matches no input record: key \(String(describing: record.key)), value \(String(describing: record.value))")
                continue
            }
            matched.insert(identity)
            XCTAssertEqual(record.headers.map { RecordHeader(key: $0.key, value: $0.value ?? []) }, origin.headers)
            if origin.headers.isEmpty {
                let time = record.timestamp ?? 0
                XCTAssertTrue(time >= started && time <= ended, "batched record's create time \(time) within the run")
            } else {
                XCTAssertEqual(record.timestamp, origin.timestamp)
            }
            XCTAssertGreaterThan(origin.offset, lastOffset[origin.partition] ?? -1, "input partition \(origin.partition) keeps its order")
            lastOffset[origin.partition] = origin.offset
        }
        XCTAssertEqual(matched.count, count, "every input record written")
    }
}
