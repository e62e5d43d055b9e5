import BrokerRig
import Foundation
import RdKafka
import XCTest

/// ``KafkaAdmin/describeConsumerGroup(_:timeout:)`` and what each broker here answers.
///
/// - Tansu 0.6: the state (`Stable` while a member is in, `Empty` after it left) and member ids
///   made of the member's client id and a UUID, but no client id, host or assignment.
///   librdkafka 2.16 passes those members on only sometimes (its DescribeConsumerGroups and
///   `rd_kafka_list_groups` both answered none here while kafka-python saw the member), so a
///   reset refuses on the group's state as well as on its members.
/// - librdkafka 2.16's mock cluster: no DescribeGroups (`_UNSUPPORTED_FEATURE`).
/// - librdkafka 2.0.2's mock cluster: never answers; the request times out, and destroying the
///   client with it outstanding hangs in librdkafka, so no test runs it there.
final class ConsumerGroupDescriptionTests: RdKafkaTestCase {
    func testMembersOnTansu() throws {
        guard try runsOnLibrdkafka216() else { return }
        let broker = try TestBroker.start(.tansu)
        defer { broker.stop() }
        announce("Tansu at \(broker.bootstrap)")
        let topic = uniqueName("described")
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrap))
        try admin.createTopic(topic, partitions: 2)
        let group = uniqueName("group")
        XCTAssertEqual(try admin.describeConsumerGroup(group).members, [], "nobody joined yet")

        var configuration = ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: group)
        configuration.client.clientID = "describe-me"
        configuration.client.properties = ["session.timeout.ms": "6000", "max.poll.interval.ms": "10000", "heartbeat.interval.ms": "500"]
        let member = try KafkaConsumer(configuration: configuration)
        try member.subscribe(topics: [topic])
        let deadline = ContinuousClock.now + .seconds(30)
        while try member.assignment().count < 2, ContinuousClock.now < deadline {
            _ = try member.poll(timeout: .milliseconds(100))
        }
        XCTAssertEqual(try member.assignment().count, 2, "the member owns both partitions")

        let active = try admin.describeConsumerGroup(group)
        print("[\(name)] Tansu describes the active group as \(active)")
        XCTAssertEqual(active.groupID, group)
        XCTAssertEqual(active.state, "Stable")
        XCTAssertTrue(active.hasActiveState, "what refuses an offset reset even when no member is named")
        // Tansu answers DescribeGroups with each member's id (kafka-python shows it every time);
        // librdkafka 2.16 hands it on only sometimes (the offsets tests met both), never with a
        // client id, host or assignment.
        XCTAssertLessThanOrEqual(active.members.count, 1)
        for member in active.members {
            XCTAssertTrue(member.memberID.hasPrefix("describe-me-"), member.memberID)
            XCTAssertEqual(member.description, "member \(member.memberID) (client \(member.clientID.isEmpty ? "unknown" : "describe-me"), host \(member.host.isEmpty ? "unknown" : member.host))")
        }

        member.close()
        let left = try admin.describeConsumerGroup(group)
        print("[\(name)] after the member left: \(left)")
        XCTAssertEqual(left.members, [])
        XCTAssertEqual(left.state, "Empty")
        XCTAssertFalse(left.hasActiveState)
    }

    func testTheLibrdkafka216MockHasNoDescribeGroups() throws {
        guard try runsOnLibrdkafka216() else { return }
        announce("librdkafka 2.16 in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers))
        let group = uniqueName("group")
        XCTAssertThrowsError(try admin.describeConsumerGroup(group, timeout: .seconds(5))) { error in
            XCTAssertEqual((error as? KafkaError)?.name, "_UNSUPPORTED_FEATURE", "\(error)")
            XCTAssertTrue("\(error)".contains("describe consumer group \(group)"), "\(error)")
        }
    }
}
