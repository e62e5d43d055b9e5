import Foundation
import RdKafka
import Synchronization
import XCTest

/// A group member that records what it owns, what it read, and commits what it processed
/// before partitions leave it.
final class TrackingMember: RebalanceListener {
    struct State {
        var owned: Set<TopicPartition> = []
        var nextOffsets: [TopicPartition: Int64] = [:]
        var committed: [TopicPartition: Int64] = [:]
        var assignedEvents: [[TopicPartition]] = []
        var revokedEvents: [[TopicPartition]] = []
        var lostEvents: [[TopicPartition]] = []
        var read: [ConsumerRecord] = []
    }
    let state = Mutex(State())

    func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) -> [TopicPartition: Int64] {
        state.withLock { s in
            s.owned.formUnion(partitions)
            s.assignedEvents.append(partitions)
        }
        return [:]
    }

    func partitionsRevoked(_ partitions: [TopicPartition], consumer: KafkaConsumer) {
        let toCommit = state.withLock { s in
            s.revokedEvents.append(partitions)
            s.owned.subtract(partitions)
            return partitions.compactMap { tp -> TopicPartitionOffset? in
                guard let next = s.nextOffsets[tp], s.committed[tp] != next else { return nil }
                return TopicPartitionOffset(tp.topic, tp.partition, offset: next)
            }
        }
        // Only what was read since the last commit; failing here would hand records to the
        // next owner a second time.
        do { try consumer.commit(toCommit) } catch { XCTFail("commit on revoke: \(error)") }
    }

    func partitionsLost(_ partitions: [TopicPartition], consumer: KafkaConsumer) {
        state.withLock { s in
            s.lostEvents.append(partitions)
            s.owned.subtract(partitions)
        }
    }

    /// Polls one batch, records it, and commits its offsets, as an at-least-once processor
    /// does after each batch.
    func poll(_ consumer: KafkaConsumer) throws {
        let records = try consumer.poll(maxRecords: 200, timeout: .milliseconds(50))
        guard !records.isEmpty else { return }
        let offsets = state.withLock { s in
            for r in records {
                s.read.append(r)
                s.nextOffsets[TopicPartition(r.topic, r.partition)] = r.offset + 1
            }
            return s.nextOffsets.filter { s.owned.contains($0.key) }.map { TopicPartitionOffset($0.key.topic, $0.key.partition, offset: $0.value) }
        }
        try consumer.commit(offsets)
        state.withLock { s in for o in offsets { s.committed[o.topicPartition] = o.offset } }
    }

    var owned: Set<TopicPartition> { state.withLock { $0.owned } }
    var readCount: Int { state.withLock { $0.read.count } }
}

extension Scenarios {
    /// Two members of one group with the cooperative-sticky strategy: the second joins while
    /// the first consumes; only the moved partitions are revoked from the first; every
    /// partition ends with exactly one owner; no record is lost or read twice.
    static func cooperativeRebalance(
        bootstrap: String, topic: String, consumerProperties: [String: String], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let partitions: Int32 = 4
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap))
        func produce(_ range: Range<Int>) throws {
            for i in range {
                try producer.send(topic: topic, partition: Int32(i) % partitions, key: nil, value: Array("r\(i)".utf8))
            }
            try producer.flush()
        }
        try produce(0..<200)

        let group = "group-\(UUID().uuidString.prefix(8))"
        func member() throws -> (KafkaConsumer, TrackingMember) {
            var configuration = ConsumerConfiguration(bootstrapServers: bootstrap, groupID: group)
            configuration.client.properties = consumerProperties
            let tracker = TrackingMember()
            let consumer = try KafkaConsumer(configuration: configuration, rebalanceListener: tracker)
            try consumer.subscribe(topics: [topic])
            return (consumer, tracker)
        }
        func until(_ what: String, timeout: Duration = .seconds(60), _ step: () throws -> Void, _ done: () -> Bool) throws {
            let deadline = ContinuousClock.now + timeout
            while !done() {
                guard ContinuousClock.now < deadline else {
                    XCTFail("timed out waiting for \(what)", file: file, line: line)
                    return
                }
                try step()
            }
        }

        let (consumerA, a) = try member()
        try until("A to own all partitions and read 200", { try a.poll(consumerA) }) { a.owned.count == 4 && a.readCount == 200 }
        let (consumerB, b) = try member()
        try until("the group to split 2 + 2", { try a.poll(consumerA); try b.poll(consumerB) }) {
            a.owned.count == 2 && b.owned.count == 2
        }
        try produce(200..<400)
        try until("all 400 records read", { try a.poll(consumerA); try b.poll(consumerB) }) { a.readCount + b.readCount >= 400 }
        // Keep polling a little: a record read twice would show up now.
        let settle = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < settle { try a.poll(consumerA); try b.poll(consumerB) }

        let sa = a.state.withLock { $0 }
        let sb = b.state.withLock { $0 }
        XCTAssertTrue(sa.owned.isDisjoint(with: sb.owned), "a partition has two owners", file: file, line: line)
        XCTAssertEqual(sa.owned.union(sb.owned), Set((0..<partitions).map { TopicPartition(topic, $0) }), file: file, line: line)
        XCTAssertEqual(sa.revokedEvents.map(\.count), [2], "cooperative: A gives up only the 2 moved partitions", file: file, line: line)
        XCTAssertEqual(Set(sa.revokedEvents.flatMap { $0 }), sb.owned, file: file, line: line)
        XCTAssertTrue(sa.lostEvents.isEmpty && sb.lostEvents.isEmpty, file: file, line: line)
        let all = sa.read + sb.read
        let positions = all.map { "\($0.partition)@\($0.offset)" }
        XCTAssertEqual(positions.count, Set(positions).count, "a record was read twice", file: file, line: line)
        XCTAssertEqual(Set(all.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }), Set((0..<400).map { "r\($0)" }), file: file, line: line)
        XCTAssertEqual(all.count, 400, file: file, line: line)
        print("rebalance: A assigned \(sa.assignedEvents.map(\.count)) revoked \(sa.revokedEvents.map(\.count)); B assigned \(sb.assignedEvents.map(\.count)); A read \(sa.read.count), B read \(sb.read.count)")
        consumerB.close()
        consumerA.close()
    }
}
