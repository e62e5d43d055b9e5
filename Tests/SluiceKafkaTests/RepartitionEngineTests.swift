import Foundation
@testable import Sluice
import Synchronization
import XCTest

/// The engine's side of repartition topics without a broker: an in-memory transport and a
/// source that reads its own partitions plus the internal topics, so every record, watermark
/// and control record can be checked exactly.
final class RepartitionEngineTests: XCTestCase {
    struct Click: Codable, Sendable, Equatable {
        var user: String
        var seq: Int
    }

    /// A bounded distributed job: the final watermarks of both input partitions cross the
    /// topic as `Int64.max`, fire the last windows and end the downstream splits, so the job
    /// stops by itself with exactly the expected windows.
    func testBoundedInputEndsThroughFinalWatermarks() throws {
        let transport = MemoryTransport()
        // User `a` in both partitions, so its windows need elements of both upstream tasks.
        let input: [(partition: Int32, timestamp: Int64, click: Click)] = [
            (0, 1_000, Click(user: "a", seq: 0)), (1, 1_500, Click(user: "a", seq: 1)),
            (0, 2_000, Click(user: "b", seq: 2)), (1, 6_000, Click(user: "a", seq: 3)),
            (0, 7_000, Click(user: "b", seq: 4)), (1, 12_000, Click(user: "c", seq: 5)),
        ]
        let source = try MemoryTopicsSource(topic: "clicks", partitions: 2, transport: transport, records: input.map {
            ($0.partition, $0.timestamp, Array(try JSONEncoder().encode($0.click)))
        })
        let env = StreamEnvironment(jobName: "counts", runtime: MemoryRuntime(membership: source, transport: transport))
        let results = env.fromSource(source, deserializer: JSONCodec<Click>())
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(seconds: 5))
            .process { user, window, clicks, _ in "\(user)@\(window.window.start):\(clicks.map(\.seq))" }
            .collect()
        XCTAssertEqual(try env.plan().repartitionTopics, ["counts-1-repartition"])

        try env.execute()

        XCTAssertEqual(Set(results.elements), ["a@0:[0, 1]", "b@0:[2]", "a@5000:[3]", "b@5000:[4]", "c@10000:[5]"])
        XCTAssertEqual(results.elements.count, 5)
        XCTAssertEqual(transport.createdTopics, [InternalTopic(name: "counts-1-repartition", partitionCount: 2)])
        // Every upstream task (one per input partition) ended every partition with Int64.max.
        for partition in 0..<2 {
            let envelopes = try transport.records(of: "counts-1-repartition", partition: partition).map {
                try RepartitionEnvelope.decode($0.value)
            }
            let finals = envelopes.filter { $0.kind == .watermark(.max, idle: false) }
            XCTAssertEqual(Set(finals.map(\.upstream)), [0, 1])
        }
        // Elements are keyed by the UTF-8 bytes of the user and placed by murmur2.
        let elements = (0..<2).flatMap { partition in
            transport.records(of: "counts-1-repartition", partition: partition).filter { $0.key != nil }
        }
        XCTAssertEqual(elements.count, input.count)
        for record in elements {
            XCTAssertEqual(Int(record.partition), Murmur2.partition(key: record.key!, partitionCount: 2))
            XCTAssertEqual(try RepartitionEnvelope.decode(record.value).kind, .element)
            // Elements travel in BinaryCodec's format.
            XCTAssertEqual(record.value[RepartitionEnvelope.headerSize], BinaryCodec<Click>.formatVersion)
            let click = try BinaryElementReader<Click>().decode(record.value, from: RepartitionEnvelope.headerSize)
            XCTAssertEqual(record.key, Array(click.user.utf8))
            XCTAssertEqual(record.timestamp, input.first { $0.click == click }?.timestamp, "event time travels as the record timestamp")
        }
    }

    struct UserCount: Codable, Sendable {
        var user: String
        var windowStart: Int64
        var count: Int
    }

    /// Two exchanges in a row: stage 2's upstream tasks are stage 1's repartition tasks, whose
    /// watermarks (and final `Int64.max`) cross the second topic the same way.
    func testWatermarksCrossTwoRepartitionTopics() throws {
        let transport = MemoryTransport()
        let input: [(partition: Int32, timestamp: Int64, click: Click)] = (0..<40).map { index in
            (Int32(index % 3), Int64(index) * 500, Click(user: ["a", "b", "c", "d"][index % 4], seq: index))
        }
        let source = try MemoryTopicsSource(topic: "clicks", partitions: 3, transport: transport, records: input.map {
            ($0.partition, $0.timestamp, Array(try JSONEncoder().encode($0.click)))
        })
        let env = StreamEnvironment(jobName: "totals", runtime: MemoryRuntime(membership: source, transport: transport))
        let totals = env.fromSource(source, deserializer: JSONCodec<Click>())
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(seconds: 5))
            .process { user, window, clicks, _ in UserCount(user: user, windowStart: window.window.start, count: clicks.count) }
            .keyBy(\.windowStart)
            .window(TumblingEventTimeWindows.of(seconds: 5))
            .process { start, _, counts, _ in "\(start):\(counts.map(\.count).reduce(0, +))" }
            .collect()
        XCTAssertEqual(try env.plan().repartitionTopics, ["totals-1-repartition", "totals-2-repartition"])

        try env.execute()

        // 40 clicks, 500 ms apart: 10 per 5 s window.
        XCTAssertEqual(totals.elements.sorted(), ["0:10", "10000:10", "15000:10", "5000:10"])
        XCTAssertEqual(transport.createdTopics.map(\.partitionCount), [3, 3])
    }

    /// Elements crossing a repartition topic must be Codable; planning says which keyBy.
    func testNonCodableElementsAreAPlanningError() throws {
        final class Opaque: Sendable {
            let user: String
            init(user: String) { self.user = user }
        }
        let transport = MemoryTransport()
        let source = try MemoryTopicsSource(topic: "clicks", partitions: 1, transport: transport, records: [])
        let env = StreamEnvironment(jobName: "opaque", runtime: MemoryRuntime(membership: source, transport: transport))
        env.fromSource(source, deserializer: UTF8StringCodec())
            .map { Opaque(user: $0) }
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(seconds: 5))
            .process { user, _, _, _ in user }
            .collect()
        XCTAssertThrowsError(try env.plan()) { error in
            guard case JobError.invalidPlan(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("keyBy(\\Opaque.user)") && reason.contains("Codable"), reason)
        }
    }
}

/// Runs a job over a ``MemoryTopicsSource`` and a ``MemoryTransport``, at-least-once.
final class MemoryRuntime: JobRuntime {
    private let membership: any Membership
    private let transport: MemoryTransport
    let commitPoint = LocalCommitPoint()

    init(membership: any Membership, transport: MemoryTransport) {
        self.membership = membership
        self.transport = transport
    }

    var guarantee: DeliveryGuarantee { .atLeastOnce }

    func openWorker(plan: JobPlan) throws -> WorkerServices {
        WorkerServices(membership: membership, commitPoint: commitPoint, exchangeTransport: transport, workerID: "memory")
    }
}

/// Repartition topics in memory: every record written, by topic and partition.
final class MemoryTransport: DistributedExchangeTransport {
    private let state = Mutex<(topics: [InternalTopic], records: [String: [[ExchangeRecord]]])>(([], [:]))

    var createdTopics: [InternalTopic] { state.withLock { $0.topics } }

    func records(of topic: String, partition: Int) -> [ExchangeRecord] {
        state.withLock { $0.records[topic]?[partition] ?? [] }
    }

    func ensureTopics(_ topics: [InternalTopic]) throws {
        state.withLock { state in
            for topic in topics where state.records[topic.name] == nil {
                state.topics.append(topic)
                state.records[topic.name] = Array(repeating: [], count: topic.partitionCount)
            }
        }
    }

    func write(_ records: [ExchangeRecord], to topic: String) throws {
        state.withLock { state in
            for record in records { state.records[topic]![Int(record.partition)].append(record) }
        }
    }

    func flush() throws {}
}

/// A bounded source of byte records over one topic's partitions that also reads the job's
/// internal topics from a ``MemoryTransport``, and assigns itself every split when joined,
/// like a single member of a consumer group.
final class MemoryTopicsSource: Source, InternalTopicSource, Membership {
    typealias Element = SourceRecord

    let name: String
    let isBounded = true
    private let partitions: Int32
    private let transport: MemoryTransport
    private var pending: [SourceRecord]
    private var internalTopics: [String] = []
    private var internalPositions: [Split: Int] = [:]
    private var endReported = false

    init(topic: String, partitions: Int32, transport: MemoryTransport, records: [(Int32, Int64, [UInt8])]) throws {
        name = topic
        self.partitions = partitions
        self.transport = transport
        var offsets: [Int32: Int64] = [:]
        pending = records.map { partition, timestamp, value in
            defer { offsets[partition, default: 0] += 1 }
            return SourceRecord(topic: topic, partition: partition, offset: offsets[partition, default: 0],
                                timestamp: timestamp, key: nil, value: value)
        }
    }

    func splits() -> [Split] { (0..<partitions).map { Split(topic: name, partition: $0) } }

    func subscribeInternalTopics(_ topics: [String]) { internalTopics = topics }

    private var changes: [MembershipChange] = []

    func join(available: [Split]) throws {
        let internalSplits = internalTopics.flatMap { topic in
            transport.createdTopics.filter { $0.name == topic }.flatMap { created in
                (0..<created.partitionCount).map { Split(topic: topic, partition: Int32($0)) }
            }
        }
        changes.append(.assigned(available + internalSplits))
    }

    func takeChanges() -> [MembershipChange] {
        defer { changes = [] }
        return changes
    }

    func leave() {}

    func assign(_ splits: [SplitStart]) {
        for start in splits where start.split.topic != name { internalPositions[start.split] = Int(start.position ?? 0) }
    }

    func seek(_ split: Split, to offset: Int64) {}

    func revoke(_ splits: [Split]) {}

    /// One input record per poll, so watermarks advance over several rounds, then everything
    /// new on the internal topics.
    func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<SourceRecord>) {
        if !pending.isEmpty {
            let record = pending.removeFirst()
            batch.append(record, split: record.split, offset: record.offset, timestamp: record.timestamp)
        } else if !endReported {
            endReported = true
            for split in splits() { batch.markEnded(split) }
        }
        for (split, position) in internalPositions.sorted(by: { $0.key < $1.key }) {
            let records = transport.records(of: split.topic, partition: Int(split.partition))
            for offset in position..<records.count {
                let record = records[offset]
                batch.append(
                    SourceRecord(topic: split.topic, partition: split.partition, offset: Int64(offset),
                                 timestamp: record.timestamp ?? 0, key: record.key, value: record.value, headers: record.headers),
                    split: split, offset: Int64(offset), timestamp: record.timestamp ?? 0)
            }
            internalPositions[split] = records.count
        }
    }
}
