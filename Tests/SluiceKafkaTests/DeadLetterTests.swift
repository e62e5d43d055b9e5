import BrokerRig
import Foundation
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// The dead-letter policy on a Kafka → Kafka job (Tansu): a malformed record goes to the
/// dead-letter topic with its original key and value and headers naming topic, partition,
/// offset and error, while the job goes on with the records after it.
final class DeadLetterTests: KafkaJobTestCase {
    struct Order: Codable, Sendable {
        var id: Int
        var amount: Int
    }

    func testMalformedRecordIsDeadLetteredAndTheJobGoesOn() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("orders"), output = uniqueName("doubled"), deadLetters = uniqueName("dlq")
        try admin.createTopic(input, partitions: 2)
        try admin.createTopic(output, partitions: 2)
        try admin.createTopic(deadLetters, partitions: 1)

        // 20 good orders and one malformed record in partition 1, between good ones.
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        for i in 0..<20 {
            if i == 11 {
                try producer.send(topic: input, partition: 1, key: Array("bad".utf8), value: Array("{not json".utf8),
                                  headers: [KafkaHeader("origin", "test")])
            }
            let order = try JSONEncoder().encode(Order(id: i, amount: i * 10))
            try producer.send(topic: input, partition: Int32(i % 2), key: Array("order-\(i)".utf8), value: Array(order))
        }
        try producer.flush()
        let bad = try readAll(bootstrap: broker.bootstrap, topic: input, count: 21).first { $0.key == Array("bad".utf8) }!

        let group = uniqueName("job")
        let kafka = try KafkaRuntime(
            bootstrapServers: broker.bootstrap, workerID: "w0", consumer: Self.groupOptions)
        let sink = kafka.sink(topic: output)
        var configuration = JobConfiguration()
        configuration.badInputPolicy = .deadLetter(kafka.sink(topic: deadLetters))
        configuration.checkpointInterval = .milliseconds(500)
        let env = StreamEnvironment(jobName: group, runtime: kafka, configuration: configuration)
        env.fromSource(try kafka.source(topics: [input]), deserializer: JSONCodec<Order>())
            .map { Order(id: $0.id, amount: $0.amount * 2) }
            .sink(to: sink) { order in
                SinkRecord(key: Array("order-\(order.id)".utf8), value: Array("\(order.id):\(order.amount)".utf8))
            }
        let running = start(try env.build())

        let results = try readAll(bootstrap: broker.bootstrap, topic: output, count: 20)
        let dead = try readAll(bootstrap: broker.bootstrap, topic: deadLetters, count: 1)
        let metrics = try running.stop()

        // Expected output computed from the input, not from the job.
        let expected = Set((0..<20).map { "\($0):\($0 * 20)" })
        XCTAssertEqual(Set(results.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }), expected)
        XCTAssertEqual(results.count, 20, "no output doubled")
        XCTAssertEqual(dead.count, 1)
        let letter = try XCTUnwrap(dead.first)
        XCTAssertEqual(letter.key, Array("bad".utf8))
        XCTAssertEqual(letter.value, Array("{not json".utf8))
        let headers = Dictionary(letter.headers.map { ($0.key, String(decoding: $0.value ?? [], as: UTF8.self)) }) { first, _ in first }
        XCTAssertEqual(headers["origin"], "test", "original headers are kept")
        XCTAssertEqual(headers["sluice.dlq.topic"], input)
        XCTAssertEqual(headers["sluice.dlq.partition"], "1")
        XCTAssertEqual(headers["sluice.dlq.offset"], String(bad.offset))
        XCTAssertFalse((headers["sluice.dlq.error"] ?? "").isEmpty)
        XCTAssertEqual(metrics.deadLetteredRecords, 1)

        // Everything was handled, so the group's offsets reach the end of both partitions.
        let check = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: broker.bootstrap, groupID: group))
        let committed = try check.committed([TopicPartition(input, 0), TopicPartition(input, 1)])
        XCTAssertEqual(committed.map(\.offset), [10, 11])
        check.close()
    }
}
