import Foundation
import RdKafka
import Synchronization
import XCTest

/// Collects delivery reports from a producer's callback.
final class DeliveryCollector: Sendable {
    private let reports = Mutex<[DeliveryReport]>([])
    var all: [DeliveryReport] { reports.withLock { $0 } }
    var handler: @Sendable (DeliveryReport) -> Void { { report in self.reports.withLock { $0.append(report) } } }
}

/// Test scenarios that run unchanged against every broker.
enum Scenarios {
    /// Produces records with keys, headers, timestamps and explicit partitions, then reads
    /// them back by manual assignment and checks every field, watermarks, position, seek and
    /// offsets-for-time.
    ///
    /// Broker gaps, each checked on another broker instead:
    /// - `timestampLookup`: no broker here looks offsets up by timestamp. Both mock clusters
    ///   (2.0.2 and 2.16) answer -1 and Tansu 0.6 answers 0, so the call is exercised but its
    ///   result is a stated gap;
    /// - `exactHighWatermark` is false for Tansu 0.6, whose high watermark is the base offset
    ///   of the partition's last record batch plus one, not the offset after its last record.
    static func roundTrip(
        bootstrap: String, topic: String, partitions: Int32, timestampLookup: Bool = true, exactHighWatermark: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        let deliveries = DeliveryCollector()
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap), onDelivery: deliveries.handler)
        let base: Int64 = 1_700_000_000_000
        var sent: [ProducerRecord] = []
        for i in 0..<40 {
            let record = ProducerRecord(
                topic: topic, partition: Int32(i) % partitions, key: Array("key-\(i)".utf8), value: Array("value-\(i)".utf8),
                headers: [KafkaHeader("trace", "t\(i)"), KafkaHeader("empty", nil)], timestamp: base + Int64(i) * 1000)
            sent.append(record)
            try producer.send(record, token: UInt(i + 1))
        }
        try producer.send(topic: topic, partition: 0, key: nil, value: [], token: 41)
        try producer.flush()
        let reports = deliveries.all
        XCTAssertEqual(reports.count, 41, file: file, line: line)
        XCTAssertTrue(reports.allSatisfy { $0.error == nil }, "\(reports.compactMap(\.error))", file: file, line: line)
        XCTAssertEqual(Set(reports.map(\.token)), Set(1...41), file: file, line: line)

        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: bootstrap))
        let all = (0..<partitions).map { TopicPartition(topic, $0) }
        try consumer.assign(all.map { TopicPartitionOffset($0.topic, $0.partition, offset: KafkaOffset.beginning) })
        let received = try pollUntil(consumer, count: 41)
        XCTAssertEqual(received.count, 41, file: file, line: line)

        let byKey = Dictionary(uniqueKeysWithValues: received.compactMap { r in r.key.map { (String(decoding: $0, as: UTF8.self), r) } })
        for (i, record) in sent.enumerated() {
            guard let got = byKey["key-\(i)"] else { XCTFail("key-\(i) missing", file: file, line: line); continue }
            XCTAssertEqual(got.value, record.value, file: file, line: line)
            XCTAssertEqual(got.partition, record.partition, file: file, line: line)
            XCTAssertEqual(got.timestamp, record.timestamp, file: file, line: line)
            XCTAssertEqual(got.headers, record.headers, file: file, line: line)
            let report = reports.first { $0.token == UInt(i + 1) }
            XCTAssertEqual(report?.offset, got.offset, "delivery report offset of key-\(i)", file: file, line: line)
            XCTAssertEqual(report?.partition, got.partition, file: file, line: line)
        }
        let nullKey = received.filter { $0.key == nil }
        XCTAssertEqual(nullKey.count, 1, file: file, line: line)
        XCTAssertEqual(nullKey.first?.value, [], "an empty value stays empty, not null", file: file, line: line)

        for tp in all {
            let marks = try consumer.watermarks(tp)
            let end = received.filter { $0.partition == tp.partition }.map(\.offset).max()! + 1
            XCTAssertEqual(marks.low, 0, file: file, line: line)
            if exactHighWatermark {
                XCTAssertEqual(marks.high, end, "high watermark of \(tp)", file: file, line: line)
            } else {
                XCTAssertTrue(marks.high > 0 && marks.high <= end, "high watermark of \(tp): \(marks.high), end \(end)", file: file, line: line)
                print("gap: this broker's high watermark of \(tp) is \(marks.high), its log ends at \(end)")
            }
            XCTAssertEqual(try consumer.position([tp]).first?.offset, end, "position of \(tp)", file: file, line: line)
        }

        // Offsets for a timestamp: key-20 was sent at base + 20 s to partition 20 % partitions.
        let target = TopicPartition(topic, 20 % partitions)
        let expected = byKey["key-20"]!.offset
        let forTime = try consumer.offsets(forTimestamp: base + 20_000, in: [target])
        if timestampLookup {
            XCTAssertEqual(forTime.first?.offset, expected, "offset for time on \(target)", file: file, line: line)
        } else {
            print("gap: this broker does not look up offsets by timestamp (answered \(forTime.first?.offset ?? 0))")
        }

        // Seek back and read that partition again from that offset.
        try consumer.seek([TopicPartitionOffset(target.topic, target.partition, offset: expected)])
        let again = try pollUntil(consumer, count: received.filter { $0.partition == target.partition && $0.offset >= expected }.count)
        XCTAssertEqual(again.first?.key, byKey["key-20"]?.key, file: file, line: line)
        XCTAssertTrue(again.allSatisfy { $0.partition == target.partition }, file: file, line: line)

        // Pause stops delivery; resume restarts it.
        try consumer.seek([TopicPartitionOffset(target.topic, target.partition, offset: expected)])
        try consumer.pause([target])
        let whilePaused = try consumer.poll(maxRecords: 100, timeout: .milliseconds(800))
        XCTAssertTrue(whilePaused.isEmpty, "records while paused: \(whilePaused.count)", file: file, line: line)
        try consumer.resume([target])
        XCTAssertFalse(try pollUntil(consumer, count: 1).isEmpty, file: file, line: line)
        consumer.close()
    }

    /// Polls until `count` records arrived or `timeout` passed.
    static func pollUntil(_ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(30)) throws -> [ConsumerRecord] {
        var out: [ConsumerRecord] = []
        let deadline = ContinuousClock.now + timeout
        while out.count < count && ContinuousClock.now < deadline {
            out += try consumer.poll(maxRecords: 500, timeout: .milliseconds(100))
        }
        return out
    }
}
