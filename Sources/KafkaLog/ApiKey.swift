/// The Kafka requests this client sends, each at the one version it speaks.
enum ApiKey: Int16, CaseIterable, CustomStringConvertible {
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case apiVersions = 18

    /// The version sent. Metadata v4 rather than v1: from v4 a request can say not to create
    /// the topic, and an audit must not create the topic it was asked about.
    var version: Int16 {
        switch self {
        case .fetch: 4
        case .listOffsets: 1
        case .metadata: 4
        case .apiVersions: 0
        }
    }

    var description: String {
        switch self {
        case .fetch: "Fetch"
        case .listOffsets: "ListOffsets"
        case .metadata: "Metadata"
        case .apiVersions: "ApiVersions"
        }
    }
}
