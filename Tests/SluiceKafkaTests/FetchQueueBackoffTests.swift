@testable import RdKafka
import Sluice
@testable import SluiceKafka
import XCTest

/// The consumer's `fetch.queue.backoff.ms`: 10 ms by default where the loaded librdkafka knows
/// the property (2.1.0 and later), absent where it does not (Debian's 2.0.2), overridable by the
/// typed option or the raw property. What reaches librdkafka is read from a real client's
/// configuration (`rd_kafka_conf_get` through ``KafkaConfiguration/isKnownProperty(_:)`` and the
/// property list the client is built from); no broker is needed.
final class FetchQueueBackoffTests: KafkaJobTestCase {
    private func properties(_ options: ConsumerOptions, shared: [String: String] = [:]) -> [String: String] {
        var configuration = ConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "job")
        options.apply(to: &configuration, shared: shared)
        return Dictionary(configuration.librdkafkaProperties, uniquingKeysWith: { _, later in later })
    }

    func testThePropertyIsKnownExactlyFromLibrdkafka21On() {
        XCTAssertEqual(KafkaConfiguration.isKnownProperty("fetch.queue.backoff.ms"), librdkafkaAtLeast(2, 1), librdkafkaVersion)
        XCTAssertTrue(KafkaConfiguration.isKnownProperty("fetch.wait.max.ms"))
        XCTAssertFalse(KafkaConfiguration.isKnownProperty("fetch.no.such.property"))
    }

    /// In this process: Debian's librdkafka 2.0.2 on this machine, which has no such property.
    func testTheDefaultFollowsWhatTheLoadedLibrdkafkaKnows() throws {
        XCTAssertNoThrow(try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g")),
                         "the default must not make librdkafka \(librdkafkaVersion) refuse the configuration")
        let typed = Result { try KafkaRuntime(
            bootstrapServers: "127.0.0.1:1", workerID: "w", consumer: ConsumerOptions(fetchQueueBackoff: .milliseconds(25))) }
        if librdkafkaAtLeast(2, 1) {
            XCTAssertEqual(properties(ConsumerOptions())["fetch.queue.backoff.ms"], "10")
            XCTAssertNoThrow(try typed.get())
        } else {
            XCTAssertNil(properties(ConsumerOptions())["fetch.queue.backoff.ms"])
            XCTAssertThrowsError(try typed.get()) { error in
                XCTAssertEqual(error as? KafkaOptionsError, .unsupported(
                    option: "consumer.fetchQueueBackoff", value: "\(Duration.milliseconds(25))",
                    reason: "librdkafka \(librdkafkaVersion) has no fetch.queue.backoff.ms (2.1.0 and later have it)"))
            }
        }
    }

    func testLibrdkafka216GetsTenMillisecondsUnlessTold() throws {
        guard try runsOnLibrdkafka216() else { return }
        XCTAssertEqual(properties(ConsumerOptions())["fetch.queue.backoff.ms"], "10")
        XCTAssertEqual(properties(ConsumerOptions(fetchQueueBackoff: .milliseconds(25)))["fetch.queue.backoff.ms"], "25")
        XCTAssertEqual(properties(ConsumerOptions(properties: ["fetch.queue.backoff.ms": "5"]))["fetch.queue.backoff.ms"], "5",
                       "a raw consumer property wins over the default")
        XCTAssertEqual(properties(ConsumerOptions(), shared: ["fetch.queue.backoff.ms": "1000"])["fetch.queue.backoff.ms"], "1000",
                       "a raw shared property wins over the default")
        var librdkafkaDefault = ConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g")
        librdkafkaDefault.fetchQueueBackoff = nil
        XCTAssertNil(Dictionary(librdkafkaDefault.librdkafkaProperties, uniquingKeysWith: { _, later in later })["fetch.queue.backoff.ms"])
        XCTAssertNoThrow(try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g")))
        XCTAssertThrowsError(try KafkaRuntime(
            bootstrapServers: "127.0.0.1:1", workerID: "w",
            consumer: ConsumerOptions(fetchQueueBackoff: .milliseconds(25), properties: ["fetch.queue.backoff.ms": "5"]))) { error in
            XCTAssertEqual(error as? KafkaOptionsError, .conflict(
                option: "consumer.fetchQueueBackoff", property: "fetch.queue.backoff.ms", propertiesName: "consumer.properties"))
        }
    }
}
