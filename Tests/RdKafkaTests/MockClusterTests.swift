import BrokerRig
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
