import BrokerRig
import Foundation
import RdKafka
import RigTestSupport
import XCTest

/// RdKafka against Tansu, an independent Kafka-compatible broker. Tansu needs librdkafka
/// 2.12 or newer, so each test re-runs itself on the wheel's librdkafka 2.16
/// (``BrokerTestCase/runsOnLibrdkafka216(function:file:line:)``).
final class TansuTests: RdKafkaTestCase {
    /// Tansu's JoinGroup waits up to the rebalance timeout, which librdkafka takes from
    /// max.poll.interval.ms: keep both short.
    static let groupProperties = ["session.timeout.ms": "6000", "max.poll.interval.ms": "10000", "heartbeat.interval.ms": "500"]

    private func startTansu() throws -> TestBroker {
        let broker = try TestBroker.start(.tansu)
        announce("Tansu (scripts/brokers.py tansu) at \(broker.bootstrap)")
        return broker
    }

    func testAdminCreatesDescribesAndDeletesTopics() throws {
        guard try runsOnLibrdkafka216() else { return }
        let broker = try startTansu()
        defer { broker.stop() }
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrap))
        let topic = uniqueName("admin")
        try admin.createTopic(topic, partitions: 3)
        XCTAssertThrowsError(try admin.createTopic(topic, partitions: 3)) { error in
            XCTAssertEqual((error as? KafkaError)?.name, "TOPIC_ALREADY_EXISTS", "\(error)")
        }
        try admin.createTopic(topic, partitions: 3, ignoreExisting: true)
        let description = try admin.describeTopic(topic)
        XCTAssertEqual(description.partitions.map(\.id), [0, 1, 2])
        XCTAssertTrue(description.partitions.allSatisfy { $0.leader >= 0 })
        try admin.deleteTopic(topic)
        try admin.deleteTopic(topic, ignoreMissing: true)
    }

    func testRoundTripWithKeysHeadersAndTimestamps() throws {
        guard try runsOnLibrdkafka216() else { return }
        let broker = try startTansu()
        defer { broker.stop() }
        let topic = uniqueName("roundtrip")
        try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrap)).createTopic(topic, partitions: 3)
        try Scenarios.roundTrip(
            bootstrap: broker.bootstrap, topic: topic, partitions: 3, timestampLookup: false, exactHighWatermark: false)
    }

    func testTwoConsumersRebalanceCooperatively() throws {
        guard try runsOnLibrdkafka216() else { return }
        let broker = try startTansu()
        defer { broker.stop() }
        let topic = uniqueName("rebalance")
        try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrap)).createTopic(topic, partitions: 4)
        try Scenarios.cooperativeRebalance(bootstrap: broker.bootstrap, topic: topic, consumerProperties: Self.groupProperties)
    }

    /// Offsets sent with a committed transaction, one of them for a partition the consumer
    /// does not consume, are what a fresh consumer of the group reads back; offsets sent
    /// with an aborted transaction are not.
    func testOffsetsSentInTransactionsCommitOnlyWithTheTransaction() throws {
        guard try runsOnLibrdkafka216() else { return }
        let broker = try startTansu()
        defer { broker.stop() }
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrap))
        let input = uniqueName("in"), other = uniqueName("other"), output = uniqueName("out")
        try admin.createTopic(input, partitions: 2)
        try admin.createTopic(other, partitions: 1)
        try admin.createTopic(output, partitions: 1)

        let group = uniqueName("group")
        var consumerConfiguration = ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: group)
        consumerConfiguration.client.properties = Self.groupProperties
        let member = TrackingMember()
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, rebalanceListener: member)
        try consumer.subscribe(topics: [input])
        let deadline = ContinuousClock.now + .seconds(60)
        while member.owned.count < 2 && ContinuousClock.now < deadline { _ = try consumer.poll(timeout: .milliseconds(100)) }
        XCTAssertEqual(member.owned.count, 2, "the consumer joined and owns both input partitions")

        var producerConfiguration = ProducerConfiguration(bootstrapServers: broker.bootstrap)
        producerConfiguration.transactionalID = uniqueName("txn")
        let producer = try KafkaProducer(configuration: producerConfiguration)
        try producer.initTransactions()
        let committedOffsets = [
            TopicPartitionOffset(input, 0, offset: 5), TopicPartitionOffset(input, 1, offset: 7),
            TopicPartitionOffset(other, 0, offset: 3),
        ]
        try producer.beginTransaction()
        try producer.send(topic: output, partition: 0, key: nil, value: Array("committed".utf8))
        try producer.sendOffsetsToTransaction(committedOffsets, groupMetadata: try consumer.groupMetadata())
        try producer.commitTransaction()

        try producer.beginTransaction()
        try producer.send(topic: output, partition: 0, key: nil, value: Array("aborted".utf8))
        try producer.sendOffsetsToTransaction(
            [TopicPartitionOffset(input, 0, offset: 9), TopicPartitionOffset(input, 1, offset: 11), TopicPartitionOffset(other, 0, offset: 6)],
            groupMetadata: try consumer.groupMetadata())
        try producer.abortTransaction()
        consumer.close()

        let fresh = try KafkaConsumer(configuration: consumerConfiguration)
        let readBack = try fresh.committed(committedOffsets.map(\.topicPartition))
        XCTAssertEqual(readBack.map(\.offset), [5, 7, 3], "\(readBack)")
        fresh.close()
    }

    /// Tansu keeps control batches, so the raw-batch audit (KIP-98's read_committed rule,
    /// without the broker's aborted index, which Tansu's memory store lacks) sees exactly the
    /// records of committed transactions.
    func testCommittedVisibleAbortedAndOpenInvisibleByRawBatchAudit() throws {
        guard try runsOnLibrdkafka216() else { return }
        let broker = try startTansu()
        defer { broker.stop() }
        let topic = uniqueName("visibility")
        try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrap)).createTopic(topic, partitions: 2)
        let (producer, committed) = try Scenarios.mixedTransactions(bootstrap: broker.bootstrap, topic: topic, partitions: 2)
        let seen = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: topic)
        XCTAssertEqual(seen.count, 15)
        XCTAssertEqual(Set(seen.compactMap(\.valueString)), committed)
        _ = producer
    }
}
