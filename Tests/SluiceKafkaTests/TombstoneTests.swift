import BrokerRig
import Foundation
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// Null values (tombstones) and empty values through a Kafka job on Tansu: a tombstone read
/// stays a tombstone written, an empty value stays empty.
final class TombstoneTests: KafkaJobTestCase {
    func testTombstonesAndEmptyValuesSurviveAKafkaRoundTrip() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("changes"), output = uniqueName("changed"), jobName = uniqueName("tombstones")
        try admin.createTopic(input, partitions: 1)
        try admin.createTopic(output, partitions: 1)
        // One record per batch, so Tansu's high watermark is the end offset (see BoundedRunTests).
        var producerConfiguration = ProducerConfiguration(bootstrapServers: broker.bootstrap)
        producerConfiguration.client.properties["batch.num.messages"] = "1"
        let producer = try KafkaProducer(configuration: producerConfiguration)
        let values: [String?] = ["a", nil, "", "bc", nil, ""]
        for (index, value) in values.enumerated() {
            try producer.send(topic: input, key: Array("k\(index)".utf8), value: value.map { Array($0.utf8) })
        }
        try producer.flush()

        let kafka = try KafkaRuntime(bootstrapServers: broker.bootstrap, workerID: "w0", consumer: Self.groupOptions)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(300)
        configuration.restartStrategy = .none
        let env = StreamEnvironment(jobName: jobName, runtime: kafka, configuration: configuration)
        env.fromSource(try kafka.source(topics: [input], ending: .latestAtStart), deserializer: OptionalCodec(UTF8StringCodec()))
            .map { $0.map { "<\($0)>" } }
            .sink(to: kafka.sink(topic: output), serializer: OptionalCodec(UTF8StringCodec()))
        let metrics = try start(try env.build()).waitForEnd()
        XCTAssertEqual(metrics.recordsRead, values.count)

        let written = try readAll(bootstrap: broker.bootstrap, topic: output, count: values.count)
        let expected: [[UInt8]?] = values.map { value in value.map { Array("<\($0)>".utf8) } }
        XCTAssertEqual(written.map(\.value), expected, "tombstones in order, as tombstones; empty values as <>")
        XCTAssertEqual(written.map { $0.value == nil }, values.map { $0 == nil })
    }
}
