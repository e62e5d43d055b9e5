import BrokerRig
import Foundation
import RdKafka
import XCTest

/// `KafkaProducer.sendBatch` (`rd_kafka_produce_batch`): every record delivered once, in
/// order per partition, keys, values, tombstones and empty values exact, in and out of a
/// transaction; refusals reported at the right index with nothing after them enqueued; delivery
/// failures reported with topic and partition, through integer topic ids.
final class ProduceBatchTests: RdKafkaTestCase {
    /// One record of the tests: its identity is its key, or its value where the key is null.
    struct Sent: Hashable {
        var key: [UInt8]?
        var value: [UInt8]?
    }

    /// `count` records: a null key every fifth (its value then says who it is), a tombstone and
    /// an empty value among every five.
    static func records(_ count: Int, tag: String) -> [Sent] {
        (0..<count).map { i in
            let key: [UInt8]? = i % 5 == 0 ? nil : Array("\(tag)-k\(i)".utf8)
            let value: [UInt8]? = switch i % 5 {
            case 1: nil
            case 2: []
            default: Array("\(tag)-v\(i)".utf8)
            }
            return Sent(key: key, value: value)
        }
    }

    /// Reads `partitions` of `topic` from the beginning until `count` records came and a quiet
    /// second passed, so extra records show up too.
    static func readAll(
        bootstrap: String, topic: String, partitions: Int32, count: Int, readCommitted: Bool = false
    ) throws -> [ConsumerRecord] {
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrap)
        configuration.isolationLevel = readCommitted ? .readCommitted : .readUncommitted
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { consumer.close() }
        try consumer.assign((0..<partitions).map { TopicPartitionOffset(topic, $0, offset: KafkaOffset.beginning) })
        var out = try Scenarios.pollUntil(consumer, count: count)
        let quiet = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < quiet { out += try consumer.poll(maxRecords: 500, timeout: .milliseconds(100)) }
        return out
    }

    /// Checks that `received` holds each of `sent` exactly once, nothing else, and that within
    /// every partition the records appear in the order they were sent.
    static func assertDeliveredOnceInOrder(
        _ received: [ConsumerRecord], sent: [Sent], file: StaticString = #filePath, line: UInt = #line
    ) {
        let position = Dictionary(uniqueKeysWithValues: sent.enumerated().map { ($0.element, $0.offset) })
        XCTAssertEqual(received.count, sent.count, "records read", file: file, line: line)
        let indices = received.compactMap { position[Sent(key: $0.key, value: $0.value)] }
        XCTAssertEqual(indices.count, received.count, "every record read was sent, key and value exact", file: file, line: line)
        XCTAssertEqual(Set(indices).count, sent.count, "every record sent arrived once", file: file, line: line)
        XCTAssertTrue(received.allSatisfy(\.headers.isEmpty), "batched records carry no headers", file: file, line: line)
        for partition in Set(received.map(\.partition)) {
            let inPartition = received.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }
            let order = inPartition.map { position[Sent(key: $0.key, value: $0.value)] ?? -1 }
            XCTAssertEqual(order, order.sorted(), "partition \(partition) keeps the send order", file: file, line: line)
        }
    }

    /// Batches with the partitioner's choice (more than one rd_kafka_produce_batch call each)
    /// and with an explicit partition, on the mock cluster; delivery reports name the topic by
    /// id and match the offsets read back; create times lie within the send.
    func testBatchesDeliverEveryRecordOnceInOrder() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let topic = uniqueName("batch")
        try cluster.createTopic(topic, partitions: 3)
        let deliveries = DeliveryCollector()
        let producer = try KafkaProducer(
            configuration: ProducerConfiguration(bootstrapServers: cluster.bootstrapServers), onDelivery: deliveries.handler)
        let spread = Self.records(150, tag: "any"), pinned = Self.records(70, tag: "p1")
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        try producer.sendBatch(topic: topic, partition: nil, count: spread.count) { (spread[$0].key, spread[$0].value) }
        try producer.sendBatch(topic: topic, partition: 1, count: pinned.count) { (pinned[$0].key, pinned[$0].value) }
        try producer.flush()
        let after = Int64(Date().timeIntervalSince1970 * 1000)

        let received = try Self.readAll(bootstrap: cluster.bootstrapServers, topic: topic, partitions: 3, count: 220)
        Self.assertDeliveredOnceInOrder(received, sent: spread + pinned)
        let pinnedSet = Set(pinned)
        XCTAssertTrue(received.filter { pinnedSet.contains(Sent(key: $0.key, value: $0.value)) }.allSatisfy { $0.partition == 1 })
        XCTAssertGreaterThan(Set(received.map(\.partition)).count, 1, "the partitioner spread the records without a partition")
        XCTAssertTrue(received.allSatisfy { ($0.timestamp ?? 0) >= before && ($0.timestamp ?? 0) <= after }, "create time within the send")

        let reports = deliveries.all
        XCTAssertEqual(reports.count, 220)
        XCTAssertTrue(reports.allSatisfy { $0.error == nil && $0.failedTopic == nil && $0.token == 0 })
        XCTAssertEqual(Set(reports.map(\.topicID)).count, 1)
        XCTAssertEqual(producer.topicName(id: reports[0].topicID), topic)
        struct Place: Hashable { var partition: Int32; var offset: Int64 }
        XCTAssertEqual(Set(reports.map { Place(partition: $0.partition, offset: $0.offset) }),
                       Set(received.map { Place(partition: $0.partition, offset: $0.offset) }))
    }

    func testBatchesDeliverEveryRecordOnceInOrderOnLibrdkafka216() throws {
        guard try runsOnLibrdkafka216() else { return }
        try testBatchesDeliverEveryRecordOnceInOrder()
    }

    /// A queue that holds only 10 records: the batch waits for deliveries and resumes at the
    /// first record librdkafka turned away, so all 100 arrive once, in order.
    func testFullQueueMakesTheBatchWaitAndResume() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let topic = uniqueName("full")
        try cluster.createTopic(topic, partitions: 1)
        var configuration = ProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.client.properties["queue.buffering.max.messages"] = "10"
        let deliveries = DeliveryCollector()
        let producer = try KafkaProducer(configuration: configuration, onDelivery: deliveries.handler)
        let records = Self.records(100, tag: "full")
        try producer.sendBatch(topic: topic, partition: 0, count: records.count) { (records[$0].key, records[$0].value) }
        try producer.flush()
        XCTAssertEqual(deliveries.all.count, 100)
        XCTAssertTrue(deliveries.all.allSatisfy { $0.error == nil })
        let received = try Self.readAll(bootstrap: cluster.bootstrapServers, topic: topic, partitions: 1, count: 100)
        Self.assertDeliveredOnceInOrder(received, sent: records)
    }

    /// A record too large for `message.max.bytes` in the middle of a batch: the records before
    /// it are delivered, it is refused at its index with MSG_SIZE_TOO_LARGE, the ones after it
    /// are never sent.
    func testOversizedRecordIsRefusedAtItsIndexAndNothingAfterItIsSent() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let topic = uniqueName("oversized")
        try cluster.createTopic(topic, partitions: 1)
        var configuration = ProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.client.properties["message.max.bytes"] = "2000"
        let producer = try KafkaProducer(configuration: configuration)
        var records = Self.records(5, tag: "big")
        records[3].value = [UInt8](repeating: 7, count: 5000)
        XCTAssertThrowsError(try producer.sendBatch(topic: topic, partition: 0, count: records.count) { (records[$0].key, records[$0].value) }) { error in
            let failure = error as? ProduceBatchError
            XCTAssertEqual(failure?.index, 3, "\(error)")
            XCTAssertEqual(failure?.underlying.name, "MSG_SIZE_TOO_LARGE", "\(error)")
            XCTAssertEqual(failure?.underlying.refusesRecord, true, "the record's own fault: \(error)")
        }
        try producer.flush()
        let received = try Self.readAll(bootstrap: cluster.bootstrapServers, topic: topic, partitions: 1, count: 3)
        Self.assertDeliveredOnceInOrder(received, sent: Array(records[..<3]))
    }

    /// An explicit partition the topic does not have (once the producer knows the topic): the
    /// whole batch is refused at index 0, naming topic and partition, and nothing is enqueued.
    func testUnknownPartitionRefusesTheBatchAtItsFirstRecord() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let topic = uniqueName("partitions")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: cluster.bootstrapServers))
        try producer.send(topic: topic, partition: 0, key: nil, value: Array("learn the topic".utf8))
        try producer.flush()
        let records = Self.records(10, tag: "lost")
        XCTAssertThrowsError(try producer.sendBatch(topic: topic, partition: 7, count: records.count) { (records[$0].key, records[$0].value) }) { error in
            let failure = error as? ProduceBatchError
            XCTAssertEqual(failure?.index, 0, "\(error)")
            XCTAssertEqual(failure?.underlying.name, "_UNKNOWN_PARTITION", "\(error)")
            XCTAssertEqual(failure?.underlying.refusesRecord, true, "the record's own fault: \(error)")
            XCTAssertTrue(failure?.underlying.message.contains("\(topic)[7]") ?? false, "\(error)")
        }
        XCTAssertEqual(producer.outstandingCount, 0)
    }

    /// The broker refusing a produce request: each record's failed delivery report carries the
    /// topic's name and id and the partition it was sent to.
    func testDeliveryFailuresNameTopicAndPartition() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let topic = uniqueName("refused")
        try cluster.createTopic(topic, partitions: 2)
        let deliveries = DeliveryCollector()
        let producer = try KafkaProducer(
            configuration: ProducerConfiguration(bootstrapServers: cluster.bootstrapServers), onDelivery: deliveries.handler)
        try producer.send(topic: topic, partition: 0, key: nil, value: Array("accepted".utf8))
        try producer.flush()
        cluster.pushRequestErrors(.produce, Array(repeating: .topicAuthorizationFailed, count: 20))
        let records = Self.records(12, tag: "refused")
        try producer.sendBatch(topic: topic, partition: 1, count: records.count) { (records[$0].key, records[$0].value) }
        try producer.flush()
        cluster.clearRequestErrors(.produce)
        let failed = deliveries.all.filter { $0.error != nil }
        XCTAssertEqual(failed.count, records.count, "every batched record reported failed")
        for report in failed {
            XCTAssertEqual(report.error?.name, "TOPIC_AUTHORIZATION_FAILED")
            XCTAssertEqual(report.failedTopic, topic)
            XCTAssertEqual(report.partition, 1)
            XCTAssertEqual(producer.topicName(id: report.topicID), topic)
        }
        let accepted = deliveries.all.filter { $0.error == nil }
        XCTAssertEqual(accepted.count, 1)
        XCTAssertNil(accepted.first?.failedTopic, "a successful report carries no topic name")
    }

    /// Batches inside transactions on Tansu, read as read_committed (the verifier's raw-batch
    /// audit): the committed transactions' records once each, in order per partition, the
    /// aborted one's never; outside a transaction the batch is refused at its first record.
    /// Values are unique and non-null here, as the audit reports a null value as empty
    /// (tombstones are checked in ``testBatchesDeliverEveryRecordOnceInOrder()``).
    func testBatchesInTransactionsOnTansu() throws {
        guard try runsOnLibrdkafka216() else { return }
        let broker = try TestBroker.start(.tansu)
        announce("Tansu (scripts/brokers.py tansu) at \(broker.bootstrap)")
        defer { broker.stop() }
        let topic = uniqueName("txbatch")
        try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrap)).createTopic(topic, partitions: 2)
        var configuration = ProducerConfiguration(bootstrapServers: broker.bootstrap)
        configuration.transactionalID = uniqueName("txn")
        let producer = try KafkaProducer(configuration: configuration)
        try producer.initTransactions()
        func batch(_ count: Int, _ tag: String) -> [Sent] {
            (0..<count).map { Sent(key: $0 % 4 == 0 ? nil : Array("\(tag)-k\($0)".utf8), value: Array("\(tag)-v\($0)".utf8)) }
        }
        let outside = batch(3, "outside")
        XCTAssertThrowsError(try producer.sendBatch(topic: topic, partition: nil, count: outside.count) { (outside[$0].key, outside[$0].value) }) { error in
            XCTAssertEqual((error as? ProduceBatchError)?.index, 0, "\(error)")
            XCTAssertEqual((error as? ProduceBatchError)?.underlying.name, "_STATE", "\(error)")
            XCTAssertEqual((error as? ProduceBatchError)?.underlying.refusesRecord, false, "the producer's state, not the record: \(error)")
        }
        let first = batch(100, "c1"), pinned = batch(20, "c1p"), aborted = batch(40, "ab"), last = batch(30, "c2")
        try producer.beginTransaction()
        try producer.sendBatch(topic: topic, partition: nil, count: first.count) { (first[$0].key, first[$0].value) }
        try producer.sendBatch(topic: topic, partition: 1, count: pinned.count) { (pinned[$0].key, pinned[$0].value) }
        try producer.commitTransaction()
        try producer.beginTransaction()
        try producer.sendBatch(topic: topic, partition: nil, count: aborted.count) { (aborted[$0].key, aborted[$0].value) }
        try producer.flush()
        try producer.abortTransaction()
        try producer.beginTransaction()
        try producer.sendBatch(topic: topic, partition: 0, count: last.count) { (last[$0].key, last[$0].value) }
        try producer.commitTransaction()

        let expected = first + pinned + last
        let seen = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: topic, expect: expected.count)
        let position = Dictionary(uniqueKeysWithValues: expected.enumerated().map { ($0.element, $0.offset) })
        let indices = seen.compactMap { position[Sent(key: $0.key, value: $0.value)] }
        XCTAssertEqual(seen.count, expected.count, "records a read_committed reader sees")
        XCTAssertEqual(indices.count, seen.count, "only committed records, keys and values exact")
        XCTAssertEqual(Set(indices).count, expected.count, "each committed record once")
        for partition in Set(seen.map(\.partition)) {
            let order = seen.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }
                .map { position[Sent(key: $0.key, value: $0.value)] ?? -1 }
            XCTAssertEqual(order, order.sorted(), "partition \(partition) keeps the send order")
        }
        let pinnedSet = Set(pinned), lastSet = Set(last)
        XCTAssertTrue(seen.allSatisfy { record in
            let sent = Sent(key: record.key, value: record.value)
            return (!pinnedSet.contains(sent) || record.partition == 1) && (!lastSet.contains(sent) || record.partition == 0)
        }, "explicit partitions kept")
    }
}
