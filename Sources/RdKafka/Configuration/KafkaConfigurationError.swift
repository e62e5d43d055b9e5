/// librdkafka refused the configuration: a property it does not know or a value it does not
/// take, or a client it cannot build from the properties together (an SSL key it cannot read,
/// a SASL method missing a setting).
///
/// The description is one line that names the property and never holds a value: librdkafka's
/// reason is passed through ``SensitiveProperty/scrub(_:of:)`` first.
public enum KafkaConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Setting `property` failed, for `reason`.
    case rejected(property: String, reason: String)
    /// Each property was taken, but librdkafka cannot build a client from them, for `reason`.
    case unusable(reason: String)

    public var description: String {
        switch self {
        case let .rejected(property, reason): "librdkafka rejects the property \(property): \(reason)"
        case let .unusable(reason): "librdkafka cannot build a client from the properties given: \(reason)"
        }
    }
}
