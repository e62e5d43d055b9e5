@testable import RdKafka
import Sluice
@testable import SluiceKafka
import XCTest

/// ``ConsumerOptions`` and ``ProducerOptions``: what reaches librdkafka, and the options a
/// ``KafkaRuntime`` refuses, each error naming the option and the property. No broker: the
/// runtime makes no connection before a job runs.
final class KafkaOptionsTests: XCTestCase {
    private func librdkafka(_ consumer: ConsumerOptions, shared: [String: String] = [:]) -> [String: String] {
        var configuration = ConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "job")
        consumer.apply(to: &configuration, shared: shared)
        return Dictionary(configuration.librdkafkaProperties, uniquingKeysWith: { _, later in later })
    }

    private func librdkafka(_ producer: ProducerOptions, guarantee: DeliveryGuarantee, shared: [String: String] = [:]) -> [String: String] {
        var configuration = ProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        producer.apply(to: &configuration, shared: shared, guarantee: guarantee)
        return Dictionary(configuration.librdkafkaProperties, uniquingKeysWith: { _, later in later })
    }

    func testTypedConsumerFieldsBecomeTheirProperties() {
        let properties = librdkafka(ConsumerOptions(
            sessionTimeout: .seconds(6), heartbeatInterval: .milliseconds(500), maxPollInterval: .seconds(10),
            fetchWait: .milliseconds(50), assignmentStrategy: .roundRobin, isolationLevel: .readUncommitted,
            properties: ["fetch.min.bytes": "1024", "security.protocol": "ssl"]), shared: ["security.protocol": "sasl_ssl", "x": "shared"])
        XCTAssertEqual(properties["session.timeout.ms"], "6000")
        XCTAssertEqual(properties["heartbeat.interval.ms"], "500")
        XCTAssertEqual(properties["max.poll.interval.ms"], "10000")
        XCTAssertEqual(properties["fetch.wait.max.ms"], "50")
        XCTAssertEqual(properties["partition.assignment.strategy"], "roundrobin")
        XCTAssertEqual(properties["isolation.level"], "read_uncommitted")
        XCTAssertEqual(properties["fetch.min.bytes"], "1024")
        XCTAssertEqual(properties["security.protocol"], "ssl", "the consumer's own property over the shared one")
        XCTAssertEqual(properties["x"], "shared")
        XCTAssertEqual(properties["group.id"], "job")
    }

    func testUnsetConsumerFieldsKeepTheRuntimeDefaults() {
        let properties = librdkafka(ConsumerOptions())
        XCTAssertEqual(properties["partition.assignment.strategy"], "cooperative-sticky")
        XCTAssertEqual(properties["isolation.level"], "read_committed")
        for key in ["session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms", "fetch.wait.max.ms"] {
            XCTAssertNil(properties[key], key)
        }
    }

    func testTypedProducerFieldsBecomeTheirProperties() {
        let options = ProducerOptions(
            transactionTimeout: .seconds(15), linger: .milliseconds(5), acks: .all, compression: .zstd,
            properties: ["batch.size": "2048"])
        let exactlyOnce = librdkafka(options, guarantee: .exactlyOnce, shared: ["partitioner": "consistent"])
        XCTAssertEqual(exactlyOnce["transaction.timeout.ms"], "15000")
        XCTAssertEqual(exactlyOnce["linger.ms"], "5")
        XCTAssertEqual(exactlyOnce["acks"], "all")
        XCTAssertEqual(exactlyOnce["compression.type"], "zstd")
        XCTAssertEqual(exactlyOnce["batch.size"], "2048")
        XCTAssertEqual(exactlyOnce["partitioner"], "consistent", "a shared partitioner over the default")
        let atLeastOnce = librdkafka(options, guarantee: .atLeastOnce)
        XCTAssertNil(atLeastOnce["transaction.timeout.ms"], "only a transactional producer has one")
        XCTAssertEqual(atLeastOnce["partitioner"], "murmur2_random")
    }

    func testAProducerMadeFromOptionsIsAcceptedByLibrdkafka() throws {
        var configuration = ProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.idempotence = true
        ProducerOptions(linger: .milliseconds(5), acks: .all, compression: .lz4).apply(to: &configuration, shared: [:], guarantee: .atLeastOnce)
        XCTAssertNoThrow(try KafkaProducer(configuration: configuration))
    }

    func testConflictsReservedPropertiesAndUnsupportedValuesAreRefused() {
        let cases: [(ConsumerOptions, ProducerOptions, [String: String], DeliveryGuarantee, KafkaOptionsError)] = [
            (ConsumerOptions(sessionTimeout: .seconds(6), properties: ["session.timeout.ms": "6000"]), ProducerOptions(), [:], .exactlyOnce,
             .conflict(option: "consumer.sessionTimeout", property: "session.timeout.ms", propertiesName: "consumer.properties")),
            (ConsumerOptions(assignmentStrategy: .range), ProducerOptions(), ["partition.assignment.strategy": "range"], .none,
             .conflict(option: "consumer.assignmentStrategy", property: "partition.assignment.strategy", propertiesName: "properties")),
            (ConsumerOptions(), ProducerOptions(linger: .zero, properties: ["linger.ms": "0"]), [:], .atLeastOnce,
             .conflict(option: "producer.linger", property: "linger.ms", propertiesName: "producer.properties")),
            (ConsumerOptions(), ProducerOptions(), ["transaction.timeout.ms": "1000"], .exactlyOnce,
             .conflict(option: "producer.transactionTimeout", property: "transaction.timeout.ms", propertiesName: "properties")),
            (ConsumerOptions(properties: ["group.id": "g"]), ProducerOptions(), [:], .exactlyOnce,
             .reserved(property: "group.id", propertiesName: "consumer.properties", reason: "the consumer group is named after the job")),
            (ConsumerOptions(membership: .dynamic, properties: ["group.instance.id": "i"]), ProducerOptions(), [:], .atLeastOnce,
             .reserved(property: "group.instance.id", propertiesName: "consumer.properties",
                       reason: "a static member's group.instance.id is its worker id (choose static or dynamic membership with consumer.membership)")),
            (ConsumerOptions(), ProducerOptions(), ["enable.idempotence": "false"], .atLeastOnce,
             .reserved(property: "enable.idempotence", propertiesName: "properties", reason: "the worker's producer is always idempotent")),
            (ConsumerOptions(), ProducerOptions(acks: .leader), [:], .atLeastOnce,
             .unsupported(option: "producer.acks", value: "1", reason: "the worker's producer is idempotent, which needs acks=all")),
            (ConsumerOptions(isolationLevel: .readUncommitted), ProducerOptions(), [:], .exactlyOnce,
             .unsupported(option: "consumer.isolationLevel", value: "read_uncommitted",
                          reason: "an exactly-once job reads committed records only (read_committed)")),
        ]
        for (consumer, producer, properties, guarantee, expected) in cases {
            XCTAssertThrowsError(try KafkaRuntime(
                bootstrapServers: "127.0.0.1:1", guarantee: guarantee, workerID: "w", consumer: consumer, producer: producer,
                properties: properties)) { error in
                XCTAssertEqual(error as? KafkaOptionsError, expected)
            }
        }
        XCTAssertEqual(
            "\(KafkaOptionsError.conflict(option: "consumer.sessionTimeout", property: "session.timeout.ms", propertiesName: "consumer.properties"))",
            "consumer.sessionTimeout and consumer.properties[\"session.timeout.ms\"] both set librdkafka's session.timeout.ms: set only one of them")
        // Without exactly-once, transaction.timeout.ms is no typed field's: it passes through.
        XCTAssertNoThrow(try KafkaRuntime(
            bootstrapServers: "127.0.0.1:1", guarantee: .atLeastOnce, workerID: "w", properties: ["transaction.timeout.ms": "1000"]))
    }

    func testTheSessionTimeoutTheJobWaitsForComesFromTheOptions() throws {
        XCTAssertEqual(try KafkaRuntime(bootstrapServers: "127.0.0.1:1", workerID: "w").sessionTimeout, .seconds(45))
        XCTAssertEqual(try KafkaRuntime(
            bootstrapServers: "127.0.0.1:1", workerID: "w", consumer: ConsumerOptions(sessionTimeout: .seconds(6))).sessionTimeout, .seconds(6))
        XCTAssertEqual(try KafkaRuntime(
            bootstrapServers: "127.0.0.1:1", workerID: "w", consumer: ConsumerOptions(properties: ["session.timeout.ms": "7000"])).sessionTimeout,
            .seconds(7))
        XCTAssertEqual(try KafkaRuntime(
            bootstrapServers: "127.0.0.1:1", workerID: "w", properties: ["session.timeout.ms": "8000"]).sessionTimeout, .seconds(8))
    }

    func testAWorkerIsAStaticMemberNamedByItsWorkerIDUnlessDynamic() throws {
        func instanceID(_ membership: GroupMembership?) throws -> String? {
            let kafka = try KafkaRuntime(bootstrapServers: "127.0.0.1:1", workerID: "host-a-0", consumer: ConsumerOptions(membership: membership))
            let properties = kafka.consumerConfiguration(job: "word-count", source: try kafka.source(topics: ["t"])).librdkafkaProperties
            return Dictionary(properties, uniquingKeysWith: { _, later in later })["group.instance.id"]
        }
        XCTAssertEqual(try instanceID(nil), "host-a-0", "static by default")
        XCTAssertEqual(try instanceID(.static), "host-a-0")
        XCTAssertNil(try instanceID(.dynamic))
        XCTAssertTrue(try KafkaRuntime(bootstrapServers: "127.0.0.1:1", workerID: "w").leavesGroupOnStop, "a stop leaves unless told otherwise")
    }
}
