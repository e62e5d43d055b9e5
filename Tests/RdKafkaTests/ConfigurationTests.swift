import RdKafka
import XCTest

/// A bad configuration is rejected when the client is built, with librdkafka's own message
/// naming the property.
final class ConfigurationTests: XCTestCase {
    func testUnknownPropertyIsRejectedWithLibrdkafkaMessage() {
        var configuration = ProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.client.properties["no.such.property"] = "1"
        XCTAssertThrowsError(try KafkaProducer(configuration: configuration)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("no.such.property"), text)
            XCTAssertTrue(text.contains("No such configuration property"), text)
        }
    }

    func testInvalidValueIsRejected() {
        var configuration = ConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g")
        configuration.client.properties["session.timeout.ms"] = "not-a-number"
        XCTAssertThrowsError(try KafkaConsumer(configuration: configuration)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("session.timeout.ms"), text)
            XCTAssertTrue(text.contains("Invalid value"), text)
        }
    }

    func testTypedFieldsReachLibrdkafka() {
        // acks=0 with idempotence is a conflict librdkafka only detects when the client is built.
        var configuration = ProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.idempotence = true
        configuration.acks = ProducerConfiguration.Acks.none
        XCTAssertThrowsError(try KafkaProducer(configuration: configuration)) { error in
            XCTAssertTrue(String(describing: error).contains("acks"), String(describing: error))
        }
    }

    func testPassthroughPropertyOverridesTypedField() throws {
        var configuration = ProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.acks = ProducerConfiguration.Acks.none
        configuration.idempotence = true
        configuration.client.properties["acks"] = "all"
        XCTAssertNoThrow(try KafkaProducer(configuration: configuration))
    }
}
