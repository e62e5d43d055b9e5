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

    func testARejectedPropertyIsNamedAndItsValueScrubbed() {
        XCTAssertThrowsError(try KafkaConfiguration.check(["security.protocol": "sasl-s3cret", "sasl.password": "pw-s3cret"])) { error in
            XCTAssertEqual(
                error as? KafkaConfigurationError,
                .rejected(property: "security.protocol", reason: "Invalid value \"[redacted]\" for configuration property \"security.protocol\""))
        }
        XCTAssertThrowsError(try KafkaConfiguration.check(["sasl.jaas.config": "x required password=\"s3cret\";"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("librdkafka rejects the property sasl.jaas.config: Java JAAS"), "\(error)")
            XCTAssertFalse("\(error)".contains("s3cret"), "\(error)")
        }
        XCTAssertNoThrow(try KafkaConfiguration.check(["sasl.password": "pw", "linger.ms": "5"]))
    }

    func testAClientThatCannotBeBuiltScrubsTheSecrets() {
        // Each property is taken; only building the client finds acks=0 cannot go with idempotence.
        var configuration = ProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.client.properties = ["acks": "0", "enable.idempotence": "true", "sasl.password": "pw-s3cret"]
        XCTAssertThrowsError(try KafkaProducer(configuration: configuration)) { error in
            guard case .unusable(let reason)? = error as? KafkaConfigurationError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(reason.contains("acks"), reason)
            XCTAssertFalse("\(error)".contains("pw-s3cret"), "\(error)")
        }
    }

    func testSensitivePropertiesAreKnownByName() {
        for name in ["sasl.password", "sasl.jaas.config", "sasl.pasword", "SSL.Key.Password", "ssl.ca.location",
                     "sasl.oauthbearer.client.secret", "my.api.token", "schema.registry.basic.auth.user.info", "apikey"] {
            XCTAssertTrue(SensitiveProperty.isSensitive(name), name)
        }
        for name in ["sasl.mechanism", "sasl.mechanisms", "security.protocol", "bootstrap.servers", "linger.ms", "client.id"] {
            XCTAssertFalse(SensitiveProperty.isSensitive(name), name)
        }
        XCTAssertEqual(SensitiveProperty.shown("hunter2", for: "sasl.password"), "[redacted]")
        XCTAssertEqual(SensitiveProperty.shown("PLAIN", for: "sasl.mechanism"), "PLAIN")
        XCTAssertEqual(SensitiveProperty.secrets(in: [("sasl.password", "pw"), ("linger.ms", "5"), ("ssl.key.password", "")]), ["pw"])
    }

    func testScrubReplacesQuotedShortValuesAndCutsATruncatedLongOne() {
        XCTAssertEqual(SensitiveProperty.scrub("bad \"pw\" in pwd", of: ["pw"]), "bad \"[redacted]\" in pwd")
        XCTAssertEqual(SensitiveProperty.scrub("a hunter2 b hunter2", of: ["hunter2"]), "a [redacted] b [redacted]")
        let long = "password=\"" + String(repeating: "s", count: 40) + "\";"
        XCTAssertEqual(SensitiveProperty.scrub("value: " + long.prefix(20), of: [long]), "value: [redacted]")
    }
}

