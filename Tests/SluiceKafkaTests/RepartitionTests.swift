import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// A Kafka → Kafka keyed window job whose `keyBy` is not the input's partitioning, so its
/// records cross a repartition topic (Tansu): the window results are exactly those computed
/// from the input in the test, with nothing missing, extra or doubled.
final class RepartitionTests: KafkaJobTestCase {
    static let users = ["ann", "bob", "cyd", "dee", "eve", "fay", "gus"]
    /// Marks the end of the input: its far-future timestamp moves every partition's watermark
    /// past all windows of the real records, which an unbounded source needs to fire them.
    static let endMarker = "~end"
    static let windowMillis: Int64 = 5_000
    static let inputPartitions: Int32 = 3

    /// Writes 600 clicks over 30 s of event time, spread over the input partitions by click
    /// number (not by user), each partition's timestamps increasing, then one end marker per
    /// partition. Returns the expected `user <tab> window start <tab> count` lines, sorted.
    static func produceInput(bootstrap: String, topic: String) throws -> [String] {
        let base: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z, a window boundary
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap))
        var counts: [String: Int] = [:]
        var state: UInt64 = 42
        for index in 0..<600 {
            // A small LCG, so users land on partitions irregularly but reproducibly.
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let user = users[Int(state >> 33) % users.count]
            let timestamp = base + Int64(index) * 50
            let click = try JSONEncoder().encode(ClickCountJob.Click(user: user, seq: index))
            try producer.send(
                topic: topic, partition: Int32(index) % inputPartitions, key: Array("click-\(index)".utf8),
                value: Array(click), timestamp: timestamp)
            let start = timestamp - timestamp % windowMillis
            counts["\(user)\t\(start)", default: 0] += 1
        }
        for partition in 0..<inputPartitions {
            let marker = try JSONEncoder().encode(ClickCountJob.Click(user: endMarker, seq: -1))
            try producer.send(topic: topic, partition: partition, key: nil, value: Array(marker), timestamp: base + 3_600_000)
        }
        try producer.flush()
        return counts.map { "\($0.key)\t\($0.value)" }.sorted()
    }

    func testKeyedWindowJobThroughRepartitionTopic() throws {
        guard try runsOnLibrdkafka216() else { return }
        try runKeyedWindowJob(guarantee: .exactlyOnce)
    }

    /// The same job at least once: offsets committed after the outputs were flushed, records
    /// applied downstream as they arrive.
    func testKeyedWindowJobThroughRepartitionTopicAtLeastOnce() throws {
        guard try runsOnLibrdkafka216() else { return }
        try runKeyedWindowJob(guarantee: .atLeastOnce)
    }

    private func runKeyedWindowJob(guarantee: DeliveryGuarantee) throws {
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("clicks"), output = uniqueName("counts"), jobName = uniqueName("click-counts")
        try admin.createTopic(input, partitions: Self.inputPartitions)
        try admin.createTopic(output, partitions: 1)

        let env = try ClickCountJob.build(bootstrap: broker.bootstrap, input: input, output: output, jobName: jobName, guarantee: guarantee)
        let plan = try env.plan()
        XCTAssertEqual(plan.mode, .distributed)
        XCTAssertEqual(plan.repartitionTopics, ["\(jobName)-1-repartition"])
        XCTAssertEqual(plan.exchanges.map(\.partitionCount), [Int(Self.inputPartitions)])

        let running = start(try env.build())
        let expected = try Self.produceInput(bootstrap: broker.bootstrap, topic: input)
        let results = try readAll(bootstrap: broker.bootstrap, topic: output, count: expected.count)
        try running.stop()

        let repartition = try admin.describeTopic("\(jobName)-1-repartition")
        XCTAssertEqual(repartition.partitions.count, Int(Self.inputPartitions), "created with the planned partition count")
        let lines = results.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
            .filter { !$0.hasPrefix(Self.endMarker) }.sorted()
        XCTAssertEqual(lines, expected, "exactly the expected windows, none missing, extra or doubled")

        // Every input record was handled, so the group's offsets reach the end of the input:
        // 200 clicks and one end marker per partition.
        let check = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: jobName))
        let committed = try check.committed((0..<Self.inputPartitions).map { TopicPartition(input, $0) })
        XCTAssertEqual(committed.map(\.offset), [201, 201, 201])
        check.close()
    }
}
