import BrokerRig
import Foundation
import RdKafka
import XCTest

/// Static group members (`group.instance.id`, KIP-345) on the in-process mock cluster: a static
/// member that closes keeps its partitions until its session expires, one that leaves with
/// ``KafkaConsumer/leaveGroup(timeout:)`` hands them over without waiting for it, and one the
/// coordinator fences (`FENCED_INSTANCE_ID`) fails with a fatal error that names that cause.
///
/// The mock does not give a rejoining static member its old place (it treats `group.instance.id`
/// as a label); what these tests prove is the client's side, which is what decides between
/// leaving and keeping the place. Tansu and the job-level tests prove restarts.
final class StaticMembershipTests: RdKafkaTestCase {
    static let partitions: Int32 = 4
    static let session: Duration = .seconds(10)

    private func member(_ cluster: MockCluster, group: String, instanceID: String?, listener: TrackingMember) throws -> KafkaConsumer {
        var configuration = ConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: group)
        configuration.groupInstanceID = instanceID
        configuration.sessionTimeout = Self.session
        configuration.maxPollInterval = Self.session
        configuration.heartbeatInterval = .milliseconds(500)
        return try KafkaConsumer(configuration: configuration, rebalanceListener: listener)
    }

    /// Polls each consumer in turn until `done` holds; fails after `timeout`.
    private func poll(_ members: [(KafkaConsumer, TrackingMember)], timeout: Duration, until done: () -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while !done() {
            guard ContinuousClock.now < deadline else { throw TimedOut(timeout: timeout) }
            for (consumer, listener) in members { try listener.poll(consumer) }
        }
    }

    private struct TimedOut: Error, CustomStringConvertible {
        let timeout: Duration
        var description: String { "not within \(timeout)" }
    }

    /// A static member and a dynamic one share the partitions; `end` ends the static one;
    /// returns how long the dynamic one then took to own every partition.
    private func handOver(ending end: (KafkaConsumer) -> Void) throws -> Duration {
        let cluster = try MockCluster(brokers: 1)
        announce("in-process mock cluster")
        let topic = uniqueName("static"), group = uniqueName("static-group")
        try cluster.createTopic(topic, partitions: Self.partitions)
        let all = Set((0..<Self.partitions).map { TopicPartition(topic, $0) })
        let staticListener = TrackingMember(), dynamicListener = TrackingMember()
        let staticMember = try member(cluster, group: group, instanceID: "worker-a", listener: staticListener)
        let dynamicMember = try member(cluster, group: group, instanceID: nil, listener: dynamicListener)
        defer { dynamicMember.close() }
        try staticMember.subscribe(topics: [topic])
        try dynamicMember.subscribe(topics: [topic])
        let both = [(staticMember, staticListener), (dynamicMember, dynamicListener)]
        try poll(both, timeout: .seconds(60)) {
            !staticListener.owned.isEmpty && !dynamicListener.owned.isEmpty && staticListener.owned.union(dynamicListener.owned) == all
        }
        let moving = staticListener.owned
        end(staticMember)
        XCTAssertTrue(staticListener.owned.isEmpty, "the static member's revoke was heard while it ended")
        let ended = ContinuousClock.now
        try poll([(dynamicMember, dynamicListener)], timeout: Self.session + .seconds(30)) { dynamicListener.owned == all }
        let took = ContinuousClock.now - ended
        print("[\(name)] \(moving.count) partitions moved to the dynamic member \(took) after the static one ended")
        return took
    }

    /// The mock moves the partitions of a member that left once the others rejoined or a
    /// session timeout less a second passed, and those of a member that went silent once its
    /// session expired and then the same: leaving spares the whole session.
    func testLeavingSparesTheSessionThatClosingAStaticMemberCosts() throws {
        let left = try handOver { $0.leaveGroup() }
        let closed = try handOver { $0.close() }
        print("[\(name)] hand-over after leaveGroup(): \(left); after close(): \(closed); session \(Self.session)")
        XCTAssertGreaterThanOrEqual(closed, Self.session, "no LeaveGroup on close: the group waited for the session")
        XCTAssertGreaterThanOrEqual(closed - left, Self.session - .seconds(2), "a LeaveGroup does not wait for the session")
    }

    func testLeavingBeforeJoiningOrOnceClosedReturnsAtOnce() throws {
        let cluster = try MockCluster(brokers: 1)
        let listener = TrackingMember()
        let consumer = try member(cluster, group: uniqueName("static-group"), instanceID: "worker-b", listener: listener)
        XCTAssertEqual(consumer.memberID, "", "no member id before joining")
        let started = ContinuousClock.now
        consumer.leaveGroup()
        consumer.leaveGroup()
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "nothing to wait for")
        XCTAssertTrue(listener.state.withLock { $0.revokedEvents.isEmpty })
    }

    func testAFencedStaticMemberFailsWithTheCause() throws {
        let cluster = try MockCluster(brokers: 1)
        announce("in-process mock cluster")
        let topic = uniqueName("fenced")
        try cluster.createTopic(topic, partitions: Self.partitions)
        let listener = TrackingMember()
        let consumer = try member(cluster, group: uniqueName("static-group"), instanceID: "worker-c", listener: listener)
        defer { consumer.close() }
        try consumer.subscribe(topics: [topic])
        try poll([(consumer, listener)], timeout: .seconds(60)) { !listener.owned.isEmpty }
        XCTAssertFalse(consumer.memberID.isEmpty)
        XCTAssertNil(consumer.fatalError)
        // What a coordinator answers a member whose group.instance.id a newer one joined with.
        cluster.pushRequestErrors(.heartbeat, [.fencedInstanceID])
        var thrown: KafkaError?
        let deadline = ContinuousClock.now + .seconds(30)
        while thrown == nil, ContinuousClock.now < deadline {
            do {
                try listener.poll(consumer)
            } catch let error as KafkaError {
                thrown = error
            }
        }
        let error = try XCTUnwrap(thrown, "the fenced member's poll fails")
        print("[\(name)] poll: \(error); fatal error: \(consumer.fatalError.map { "\($0)" } ?? "none")")
        let cause = try XCTUnwrap(consumer.fatalError, "librdkafka raised a fatal error")
        XCTAssertEqual(cause.name, "FENCED_INSTANCE_ID")
        XCTAssertTrue(cause.isFenced)
        XCTAssertTrue(["_FATAL", "FENCED_INSTANCE_ID"].contains(error.name), "the poll says fatal, or the cause: \(error)")
    }
}
