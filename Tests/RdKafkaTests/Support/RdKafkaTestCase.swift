import RdKafka
import RigTestSupport

/// Broker-backed tests of RdKafka; reports the librdkafka this process loaded.
class RdKafkaTestCase: BrokerTestCase {
    override var librdkafkaVersion: String { KafkaProducer.librdkafkaVersion }
}
