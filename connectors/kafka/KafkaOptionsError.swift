/// Why ``KafkaRuntime`` rejected its ``ConsumerOptions`` or ``ProducerOptions``. Each
/// description is one line naming the option and the librdkafka property involved.
public enum KafkaOptionsError: Error, Equatable, CustomStringConvertible {
    /// A typed option and a passthrough property set the same librdkafka property.
    case conflict(option: String, property: String, propertiesName: String)
    /// A passthrough property the runtime sets itself, because the job's guarantee depends on it.
    case reserved(property: String, propertiesName: String, reason: String)
    /// A typed option's value the runtime cannot work with.
    case unsupported(option: String, value: String, reason: String)

    public var description: String {
        switch self {
        case let .conflict(option, property, propertiesName):
            "\(option) and \(propertiesName)[\"\(property)\"] both set librdkafka's \(property): set only one of them"
        case let .reserved(property, propertiesName, reason):
            "\(propertiesName)[\"\(property)\"] cannot be set: \(reason)"
        case let .unsupported(option, value, reason):
            "\(option) = \(value) is not supported: \(reason)"
        }
    }
}
