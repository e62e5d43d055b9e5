/// Why a topic's log could not be read or audited. Each case's description is one line
/// naming what was wrong: the address, the topic, the partition, the offset.
public enum KafkaLogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No broker of the bootstrap list answered.
    case unreachable(bootstrap: String, reason: String)
    /// A broker the metadata named (a partition's leader) did not answer.
    case brokerUnreachable(address: String, reason: String)
    /// The topic does not exist.
    case unknownTopic(topic: String, bootstrap: String)
    /// The broker does not support a request version this client speaks.
    case unsupportedVersion(address: String, request: String, version: Int16, supported: ClosedRange<Int16>?)
    /// The broker answered a request about no topic (ApiVersions) with a Kafka error code.
    case requestRefused(address: String, request: String, code: Int16)
    /// The broker answered with a Kafka error code.
    case brokerError(address: String, request: String, topic: String, partition: Int32?, code: Int16)
    /// The broker's answer could not be decoded.
    case malformedResponse(address: String, request: String, reason: String)
    /// A record batch failed its CRC32C check or could not be decoded.
    case corruptBatch(topic: String, partition: Int32, offset: Int64, reason: String)
    /// Fetching stopped making progress below the high watermark.
    case noProgress(topic: String, partition: Int32, offset: Int64, highWatermark: Int64)

    public var description: String {
        switch self {
        case .unreachable(let bootstrap, let reason):
            "cannot reach Kafka at \(bootstrap): \(reason)"
        case .brokerUnreachable(let address, let reason):
            "cannot reach the Kafka broker at \(address): \(reason)"
        case .unknownTopic(let topic, let bootstrap):
            "topic \(topic) does not exist at \(bootstrap)"
        case .unsupportedVersion(let address, let request, let version, let supported):
            "the Kafka broker at \(address) does not support \(request) v\(version)"
                + (supported.map { " (it supports v\($0.lowerBound)-v\($0.upperBound))" } ?? " (it does not support the request at all)")
        case .requestRefused(let address, let request, let code):
            "the Kafka broker at \(address) refused \(request) with error \(KafkaErrorCode.describe(code))"
        case .brokerError(let address, let request, let topic, let partition, let code):
            "the Kafka broker at \(address) answered \(request) for topic \(topic)"
                + (partition.map { " partition \($0)" } ?? "") + " with error \(KafkaErrorCode.describe(code))"
        case .malformedResponse(let address, let request, let reason):
            "the Kafka broker at \(address) sent a malformed \(request) answer: \(reason)"
        case .corruptBatch(let topic, let partition, let offset, let reason):
            "corrupt record batch in topic \(topic) partition \(partition) at offset \(offset): \(reason)"
        case .noProgress(let topic, let partition, let offset, let highWatermark):
            "reading topic \(topic) partition \(partition) stopped at offset \(offset), below its high watermark \(highWatermark)"
        }
    }
}
