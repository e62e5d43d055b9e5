import Foundation
import RdKafka
import Synchronization
import XCTest

/// A consumer that defers its rebalances (the worker's consumer): its callback only records
/// each change; nothing is fetched from assigned partitions until the application completes the
/// assignment, at the offsets it chooses; the group hands revoked partitions to another member
/// only once they were let go; and completing a change inside the callback is refused. On the
/// in-process mock cluster (librdkafka 2.0.2).
final class DeferredRebalanceTests: RdKafkaTestCase {

    private func consumer(_ bootstrap: String, group: String) throws -> KafkaConsumer {
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrap, groupID: group)
        configuration.autoOffsetReset = .earliest
        configuration.sessionTimeout = .seconds(6)
        configuration.heartbeatInterval = .milliseconds(500)
        return try KafkaConsumer(configuration: configuration, deferringRebalances: true)
    }

    /// Polls until `body`, given every record polled so far, returns a value or `timeout` passes;
    /// returns the value and the records.
    private func poll<T>(_ consumer: KafkaConsumer, timeout: Duration = .seconds(30),
                         until body: ([ConsumerRecord]) throws -> T?) throws -> (value: T?, records: [ConsumerRecord]) {
        let deadline = ContinuousClock.now + timeout
        var records: [ConsumerRecord] = []
        while ContinuousClock.now < deadline {
            records += try consumer.poll(maxRecords: 100, timeout: .milliseconds(50))
            if let value = try body(records) { return (value, records) }
        }
        return (nil, records)
    }

    func testAssignedPartitionsAreReadOnlyOnceTheApplicationCompletesTheAssignmentAtItsOffsets() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let topic = uniqueName("deferred")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: cluster.bootstrapServers))
        for index in 0..<10 {
            try producer.send(topic: topic, partition: Int32(index % 2), key: nil, value: Array("r\(index)".utf8))
        }
        try producer.flush()

        let member = try consumer(cluster.bootstrapServers, group: uniqueName("group"))
        defer { member.close() }
        try member.subscribe(topics: [topic])
        let (changes, early) = try poll(member) { _ -> [RebalanceChange]? in
            let taken = member.takeRebalanceChanges()
            return taken.isEmpty ? nil : taken
        }
        XCTAssertEqual(changes?.map(\.kind), [.assigned])
        XCTAssertEqual(Set(changes?.first?.partitions ?? []), [TopicPartition(topic, 0), TopicPartition(topic, 1)])
        XCTAssertFalse(member.isInRebalanceCallback, "the callback returned before the poll did")

        // Pending: the group waits for the application, and nothing is fetched meanwhile.
        let pending = try poll(member, timeout: .seconds(2)) { _ in nil as Bool? }.records
        XCTAssertEqual(early.count + pending.count, 0, "nothing is read before the assignment is completed: \(early + pending)")

        try member.completeAssignment([
            TopicPartitionOffset(topic, 0, offset: 3), TopicPartitionOffset(topic, 1, offset: KafkaOffset.invalid),
        ])
        let records = try poll(member) { $0.count >= 7 ? true : nil }.records
        let read = records.map { "\($0.partition)@\($0.offset)" }.sorted()
        XCTAssertEqual(read, ["0@3", "0@4", "1@0", "1@1", "1@2", "1@3", "1@4"],
                       "partition 0 from the offset the application chose, partition 1 where the group's policy says")
    }

    func testRevokedPartitionsMoveOnlyOnceLetGo() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let topic = uniqueName("deferred")
        try cluster.createTopic(topic, partitions: 4)
        let group = uniqueName("group")
        let first = try consumer(cluster.bootstrapServers, group: group)
        defer { first.close() }
        try first.subscribe(topics: [topic])
        let assigned = try poll(first) { _ in first.takeRebalanceChanges().first }.value
        try complete(assigned, on: first)
        XCTAssertEqual(assigned?.partitions.count, 4)

        let second = try consumer(cluster.bootstrapServers, group: group)
        defer { second.close() }
        try second.subscribe(topics: [topic])
        var secondOwns: [TopicPartition] = []
        /// Polls both members once; completes every change but the first member's revoke, which
        /// it returns; notes what the second member was assigned.
        func round() throws -> RebalanceChange? {
            _ = try first.poll(maxRecords: 100, timeout: .milliseconds(25))
            _ = try second.poll(maxRecords: 100, timeout: .milliseconds(25))
            var revoke: RebalanceChange?
            for change in first.takeRebalanceChanges() {
                if change.kind == .revoked { revoke = change } else { try complete(change, on: first) }
            }
            for change in second.takeRebalanceChanges() {
                if change.kind == .assigned { secondOwns += change.partitions }
                try complete(change, on: second)
            }
            return revoke
        }
        // The first member hears the revoke; the second gets nothing of it while it is pending.
        var revoked: RebalanceChange?
        let deadline = ContinuousClock.now + .seconds(60)
        while revoked == nil && ContinuousClock.now < deadline { revoked = try round() }
        let moving = revoked?.partitions ?? []
        XCTAssertFalse(moving.isEmpty, "the first member was asked to give partitions up")
        for _ in 0..<40 { XCTAssertNil(try round(), "one revoke at a time") }
        XCTAssertTrue(Set(secondOwns).isDisjoint(with: moving), "nothing moves while the revoke is pending: \(secondOwns)")

        try complete(revoked, on: first)
        let settled = ContinuousClock.now + .seconds(60)
        while !Set(moving).isSubset(of: Set(secondOwns)) && ContinuousClock.now < settled { _ = try round() }
        XCTAssertEqual(Set(secondOwns), Set(moving), "the second member got exactly what the first let go")
    }

    /// Completes `change` on `consumer` as the group asked, every assignment at the group's offsets.
    private func complete(_ change: RebalanceChange?, on consumer: KafkaConsumer) throws {
        guard let change else { return }
        switch change.kind {
        case .assigned:
            try consumer.completeAssignment(change.partitions.map { TopicPartitionOffset($0.topic, $0.partition, offset: KafkaOffset.invalid) })
        case .revoked, .lost:
            try consumer.completeRevocation(change.partitions)
        }
    }

    func testTheFlagIsSetInsideTheCallbackWhereCompletingIsRefused() throws {
        announce("in-process mock cluster")
        let cluster = try MockCluster(brokers: 1)
        let topic = uniqueName("flag")
        try cluster.createTopic(topic, partitions: 1)
        let listener = FlagListener()
        var configuration = ConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("group"))
        configuration.sessionTimeout = .seconds(6)
        configuration.heartbeatInterval = .milliseconds(500)
        let member = try KafkaConsumer(configuration: configuration, rebalanceListener: listener)
        defer { member.close() }
        try member.subscribe(topics: [topic])
        let deadline = ContinuousClock.now + .seconds(30)
        while listener.seen.withLock({ $0 == nil }) && ContinuousClock.now < deadline {
            _ = try member.poll(maxRecords: 10, timeout: .milliseconds(50))
        }
        let seen = listener.seen.withLock { $0 }
        XCTAssertEqual(seen?.inside, true, "the flag is set while librdkafka runs the callback")
        XCTAssertNotNil(seen?.refusal, "completing an assignment inside the callback is refused")
        XCTAssertFalse(member.isInRebalanceCallback, "and cleared once it returned")
    }
}

/// Notes, inside the callback, what the consumer says of itself.
private final class FlagListener: RebalanceListener {
    let seen = Mutex<(inside: Bool, refusal: String?)?>(nil)

    func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) -> [TopicPartition: Int64] {
        var refusal: String?
        do {
            try consumer.completeAssignment([])
        } catch {
            refusal = "\(error)"
        }
        let inside = consumer.isInRebalanceCallback
        seen.withLock { $0 = (inside, refusal) }
        return [:]
    }
}
