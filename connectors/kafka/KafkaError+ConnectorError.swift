import RdKafka
import Sluice

/// A fatal librdkafka error (a producer fenced by a newer instance with the same
/// `transactional.id`, an unusable idempotent producer) stops the worker; every other one lets
/// it rewind to its last checkpoint and retry.
extension KafkaError: ConnectorError {}
