import Foundation
import SluiceTesting
import XCTest
@testable import Sluice

/// A keyed window job through a repartition topic on the in-memory broker: the same results as
/// computed without the engine, with ``BinaryCodec`` elements on the wire by default (read
/// back from the topic and compared with the input), a user's codec when `keyBy` is given one,
/// and a malformed element or envelope failing the job with one line naming the topic,
/// partition and offset.
final class RepartitionCodecTests: XCTestCase {
    struct Purchase: Codable, Sendable, Hashable, Comparable {
        var user: String
        var amount: Int
        var note: String?

        static func < (lhs: Purchase, rhs: Purchase) -> Bool {
            (lhs.user, lhs.amount, lhs.note ?? "") < (rhs.user, rhs.amount, rhs.note ?? "")
        }
    }

    static let partitions = 3
    static let topic = "codec-1-repartition"

    /// Writes purchases to `purchases`; returns them and the expected `user\tstart\tcount\tsum` lines.
    static func fill(_ broker: MemoryBroker, count: Int) throws -> (purchases: [Purchase], expected: [String]) {
        try broker.createTopic("purchases", partitions: partitions)
        try broker.createTopic("totals", partitions: 1)
        var random = SplitMix(state: 5)
        var purchases: [Purchase] = []
        var totals: [String: (count: Int, sum: Int)] = [:]
        for index in 0..<count {
            let note: String? = index % 3 == 0 ? nil : (index % 3 == 1 ? "" : "gift ✓ \(index)")
            let purchase = Purchase(user: "u\(Int.random(in: 0..<15, using: &random))", amount: Int.random(in: -50...100, using: &random), note: note)
            let timestamp = Int64(index / partitions) * 10
            try broker.append("purchases", partition: Int32(index % partitions), key: nil, value: Array(try JSONEncoder().encode(purchase)),
                              timestamp: timestamp)
            purchases.append(purchase)
            let key = "\(purchase.user)\t\(timestamp - timestamp % 1_000)"
            totals[key, default: (0, 0)].count += 1
            totals[key, default: (0, 0)].sum += purchase.amount
        }
        return (purchases, totals.map { "\($0.key)\t\($0.value.count)\t\($0.value.sum)" }.sorted())
    }

    /// The element records of the repartition topic: (partition, offset, value).
    static func elementRecords(_ broker: MemoryBroker) -> [(partition: Int32, offset: Int64, value: [UInt8])] {
        guard let count = broker.partitionCount(topic) else { return [] }
        return (0..<Int32(count)).flatMap { partition in
            broker.records(Split(topic: topic, partition: partition)).compactMap { record in
                guard let value = record.value, value.count > RepartitionEnvelope.headerSize, value[1] == 0 else { return nil }
                return (partition, record.offset, value)
            }
        }
    }

    /// The job's per-window counts and sums, recomputed from the totals it wrote.
    static func runAndCollect(_ broker: MemoryBroker, elementCodec: (any Codec<Purchase>)?) throws -> [String] {
        let runtime = MemoryBrokerRuntime(broker: broker, ending: .atEndOffsets)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .zero
        configuration.threads = 1
        let env = StreamEnvironment(jobName: "codec", runtime: runtime, configuration: configuration)
        let purchases = env.fromSource(try runtime.source(topics: ["purchases"], maxRecordsPerSplit: 7), deserializer: JSONCodec<Purchase>())
        let keyed = if let elementCodec { purchases.keyBy(\.user, elementCodec: elementCodec) } else { purchases.keyBy(\.user) }
        keyed
            .window(TumblingEventTimeWindows.of(.milliseconds(1_000)))
            .aggregate(Totals()) { user, window, totals in "\(user)\t\(window.start)\t\(totals.count)\t\(totals.sum)" }
            .sink(to: runtime.sink(topic: "totals")) { line in SinkRecord(value: Array(line.utf8)) }
        _ = try env.execute()
        return broker.committedValues("totals").map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    struct Totals: AggregateFunction {
        struct Accumulator: Codable, Sendable {
            var count = 0
            var sum = 0
        }
        func createAccumulator() -> Accumulator { Accumulator() }
        func add(_ value: Purchase, to accumulator: inout Accumulator) {
            accumulator.count += 1
            accumulator.sum += value.amount
        }
        func result(_ accumulator: Accumulator) -> Accumulator { accumulator }
        func merge(_ first: Accumulator, _ second: Accumulator) -> Accumulator {
            Accumulator(count: first.count + second.count, sum: first.sum + second.sum)
        }
    }

    func testElementsCrossTheRepartitionTopicInTheBinaryFormat() throws {
        let broker = MemoryBroker()
        let (purchases, expected) = try Self.fill(broker, count: 1_500)
        XCTAssertEqual(try Self.runAndCollect(broker, elementCodec: nil), expected)
        let records = Self.elementRecords(broker)
        XCTAssertEqual(records.count, purchases.count, "one element record per purchase (no aborted transactions)")
        let reader = BinaryElementReader<Purchase>()
        var onTheWire: [Purchase] = []
        for record in records {
            XCTAssertEqual(record.value[RepartitionEnvelope.headerSize], BinaryCodec<Purchase>.formatVersion)
            onTheWire.append(try reader.decode(record.value, from: RepartitionEnvelope.headerSize))
            let payload = Array(record.value[RepartitionEnvelope.headerSize...])
            XCTAssertNil(try? JSONDecoder().decode(Purchase.self, from: Data(payload)), "not JSON")
        }
        XCTAssertEqual(onTheWire.sorted(), purchases.sorted())
    }

    func testAUserCodecGivenToKeyByIsWhatTheTopicCarries() throws {
        let broker = MemoryBroker()
        let (purchases, expected) = try Self.fill(broker, count: 600)
        XCTAssertEqual(try Self.runAndCollect(broker, elementCodec: JSONCodec<Purchase>()), expected)
        let onTheWire = try Self.elementRecords(broker).map { record in
            try JSONDecoder().decode(Purchase.self, from: Data(record.value[RepartitionEnvelope.headerSize...]))
        }
        XCTAssertEqual(onTheWire.sorted(), purchases.sorted())
    }

    /// A codec whose writer truncates one element: the reading task fails the job with one line
    /// naming the repartition topic, the partition and offset of that record, and the fault.
    func testAMalformedElementFailsTheJobWithOneLineNamingTheRecord() throws {
        let broker = MemoryBroker()
        let (purchases, _) = try Self.fill(broker, count: 300)
        let victim = purchases[100]
        let truncating = ClosureCodec<Purchase>(
            serialize: { purchase in
                var bytes = try BinaryCodec<Purchase>().serialize(purchase)
                if purchase == victim { bytes.removeLast() }
                return bytes
            },
            deserialize: { try BinaryCodec<Purchase>().deserialize($0) })
        var failure: (any Error)?
        do {
            _ = try Self.runAndCollect(broker, elementCodec: truncating)
        } catch {
            failure = error
        }
        let bad = Self.elementRecords(broker).filter { (try? BinaryCodec<Purchase>().deserialize(Array($0.value[RepartitionEnvelope.headerSize...]))) == nil }
        XCTAssertEqual(bad.count, 1, "the one truncated element is on the topic")
        let message = try XCTUnwrap(failure.map { "\($0)" })
        let expected = "record at topic \(Self.topic), partition \(bad[0].partition), offset \(bad[0].offset) failed in read \(Self.topic): binary element truncated"
        XCTAssertTrue(message.contains(expected), message)
        XCTAssertFalse(message.contains("\n"), "one line: \(message)")
    }

    /// A record on the repartition topic whose envelope this build cannot read (a newer format
    /// version): the job stops at once, without restarting from its checkpoint, with its own
    /// error naming the internal topic, the partition, the offset and what was wrong.
    func testAnUnreadableEnvelopeStopsTheJobWithOneLineNamingTheRecord() throws {
        let broker = MemoryBroker()
        _ = try Self.fill(broker, count: 300)
        try broker.createTopic(Self.topic, partitions: Self.partitions)
        let newer = [UInt8(9)] + [UInt8](repeating: 0, count: RepartitionEnvelope.headerSize - 1)
        let offset = try broker.append(Self.topic, partition: 1, key: Array("u1".utf8), value: newer, timestamp: 0)
        var failure: (any Error)?
        do {
            _ = try Self.runAndCollect(broker, elementCodec: nil)
        } catch {
            failure = error
        }
        let unreadable = try XCTUnwrap(failure as? UnreadableInternalRecord, "stopped by its own error, no restarts: \(String(describing: failure))")
        XCTAssertEqual([unreadable.topic, "\(unreadable.partition)", "\(unreadable.offset)"], [Self.topic, "1", "\(offset)"])
        XCTAssertEqual(
            "\(unreadable)",
            "unreadable record in internal topic \(Self.topic), partition 1, offset \(offset): repartition record format version 9 is not one this build of Sluice reads (it reads 1); was the topic written by a newer Sluice?")
    }
}
