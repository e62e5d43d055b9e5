import BrokerRig
import Foundation
import RdKafka
import XCTest

/// Two ways Tansu 0.6 shows offsets committed inside transactions later than Kafka does, found
/// while proving Sluice's exactly-once recovery; Sluice's checkpoint confirmations exist because
/// of the first. These tests pin down the behaviour, so a Tansu that changes it is noticed.
///
/// - Offsets of a committed transaction stay invisible to the group while another producer's
///   transaction is open on a partition the committed one wrote; they appear when that other
///   transaction ends.
/// - A transaction that commits offsets but writes no record never shows them.
final class TansuTransactionalOffsetTests: RdKafkaTestCase {
    func testTransactionalOffsetsWaitForOtherOpenTransactionsAndNeedARecord() throws {
        guard try runsOnLibrdkafka216() else { return }
        let broker = try TestBroker.start(.tansu)
        defer { broker.stop() }
        announce("Tansu at \(broker.bootstrap)")
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrap))
        let input = uniqueName("in"), shared = uniqueName("shared"), group = uniqueName("group")
        try admin.createTopic(input, partitions: 2)
        try admin.createTopic(shared, partitions: 1)

        var consumerConfiguration = ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: group)
        consumerConfiguration.client.properties = TansuTests.groupProperties
        let member = try KafkaConsumer(configuration: consumerConfiguration)
        defer { member.close() }
        try member.subscribe(topics: [input])
        let deadline = ContinuousClock.now + .seconds(30)
        while try member.assignment().isEmpty, ContinuousClock.now < deadline {
            _ = try member.poll(maxRecords: 10, timeout: .milliseconds(100))
        }
        func transactional(_ id: String) throws -> KafkaProducer {
            var configuration = ProducerConfiguration(bootstrapServers: broker.bootstrap)
            configuration.transactionalID = "\(group)-\(id)"
            let producer = try KafkaProducer(configuration: configuration)
            try producer.initTransactions()
            return producer
        }
        let first = try transactional("a"), second = try transactional("b")
        func committedOffset() throws -> Int64 {
            let reader = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: group))
            defer { reader.close() }
            return try reader.committed([TopicPartition(input, 0)])[0].offset
        }
        func commit(_ producer: KafkaProducer, offset: Int64, writing: Bool) throws {
            try producer.beginTransaction()
            if writing { try producer.send(topic: shared, partition: 0, key: nil, value: Array("b".utf8)) }
            try producer.sendOffsetsToTransaction([TopicPartition(input, 0).offset(offset)], groupMetadata: try member.groupMetadata())
            try producer.commitTransaction()
        }

        try commit(second, offset: 10, writing: true)
        XCTAssertEqual(try committedOffset(), 10, "with no other transaction open, offsets show at once")

        try first.beginTransaction()
        try first.send(topic: shared, partition: 0, key: nil, value: Array("a".utf8))
        try first.flush()
        try commit(second, offset: 20, writing: true)
        let whileOpen = try committedOffset()
        try first.abortTransaction()
        let afterOtherEnded = try committedOffset()
        try commit(second, offset: 30, writing: false)
        let withoutRecords = try committedOffset()
        print("[\(name)] committed 20 while another transaction was open: the group showed \(whileOpen), then \(afterOtherEnded) once it ended; committed 30 with no record: the group shows \(withoutRecords)")
        XCTAssertEqual(whileOpen, 10, "Tansu hides the committed offset 20 while another transaction is open on the partition it wrote")
        XCTAssertEqual(afterOtherEnded, 20, "and shows it when that transaction ends")
        XCTAssertEqual(withoutRecords, 20, "Tansu never shows offsets of a transaction that wrote no record")
    }
}

private extension TopicPartition {
    func offset(_ offset: Int64) -> TopicPartitionOffset {
        TopicPartitionOffset(topic, partition, offset: offset)
    }
}
