import BrokerRig
import Foundation
import RdKafka
import XCTest

/// Round trip and cooperative rebalancing on librdkafka's in-process mock cluster, with the
/// librdkafka this process loaded (Debian's 2.0.2 under `swift test`).
final class MockClusterTests: RdKafkaTestCase {
    func testRoundTripWithKeysHeadersAndTimestamps() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 3)
        let topic = uniqueName("roundtrip")
        try cluster.createTopic(topic, partitions: 3)
        try Scenarios.roundTrip(
            bootstrap: cluster.bootstrapServers, topic: topic, partitions: 3,
            timestampLookup: false)
    }

    /// The same round trip on librdkafka 2.16's in-process mock cluster and client.
    func testRoundTripOnLibrdkafka216() throws {
        guard try runsOnLibrdkafka216() else { return }
        try testRoundTripWithKeysHeadersAndTimestamps()
    }

    /// Committed offsets carry metadata on this broker (the mock keeps it for plain commits;
    /// Tansu drops it), and a fresh consumer of the group reads both back.
    func testCommittedOffsetsWithMetadataRoundTrip() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let topic = uniqueName("commits")
        try cluster.createTopic(topic, partitions: 2)
        let group = uniqueName("group")
        let configuration = ConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: group)
        let writer = try KafkaConsumer(configuration: configuration)
        let partitions = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
        XCTAssertEqual(try writer.committed(partitions).map(\.offset), [KafkaOffset.invalid, KafkaOffset.invalid])
        try writer.commit([
            TopicPartitionOffset(topic, 0, offset: 42, metadata: Array("checkpoint-7".utf8)),
            TopicPartitionOffset(topic, 1, offset: 9),
        ])
        writer.close()
        let reader = try KafkaConsumer(configuration: configuration)
        let committed = try reader.committed(partitions)
        XCTAssertEqual(committed.map(\.offset), [42, 9])
        XCTAssertEqual(committed.first?.metadata, Array("checkpoint-7".utf8))
        XCTAssertEqual(committed.last?.metadata ?? [], [])
        reader.close()
    }

    /// A member that stops polling for longer than max.poll.interval.ms is dropped from the
    /// group; its next poll reports the partitions as lost (not revoked), so it must not
    /// commit them, and it rejoins and gets them back.
    func testPartitionsAreLostAfterThePollIntervalExpires() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let topic = uniqueName("lost")
        try cluster.createTopic(topic, partitions: 2)
        var configuration = ConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("group"))
        configuration.client.properties = ["session.timeout.ms": "6000", "max.poll.interval.ms": "6000", "heartbeat.interval.ms": "500"]
        let member = TrackingMember()
        let consumer = try KafkaConsumer(configuration: configuration, rebalanceListener: member)
        try consumer.subscribe(topics: [topic])
        var deadline = ContinuousClock.now + .seconds(30)
        while member.owned.count < 2 && ContinuousClock.now < deadline { try member.poll(consumer) }
        XCTAssertEqual(member.owned.count, 2)

        Thread.sleep(forTimeInterval: 8)  // no poll: the member exceeds max.poll.interval.ms
        deadline = ContinuousClock.now + .seconds(30)
        while member.state.withLock({ $0.lostEvents.isEmpty }) && ContinuousClock.now < deadline { try member.poll(consumer) }
        let state = member.state.withLock { $0 }
        XCTAssertEqual(state.lostEvents.map(\.count), [2], "both partitions reported lost")
        XCTAssertTrue(state.revokedEvents.isEmpty, "lost partitions are not revoked, so nothing is committed for them")
        while member.owned.count < 2 && ContinuousClock.now < deadline { try member.poll(consumer) }
        XCTAssertEqual(member.owned.count, 2, "the member rejoined and owns its partitions again")
        consumer.close()
    }

    func testTwoConsumersRebalanceCooperatively() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let topic = uniqueName("rebalance")
        try cluster.createTopic(topic, partitions: 4)
        try Scenarios.cooperativeRebalance(
            bootstrap: cluster.bootstrapServers, topic: topic,
            consumerProperties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"])
    }
}
