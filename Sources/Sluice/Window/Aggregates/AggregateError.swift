/// Why a built-in aggregate has no result.
public enum AggregateError: Error, Equatable, CustomStringConvertible {
    /// ``Min`` or ``Max`` of no elements; a window fires only with elements, so only a direct
    /// call meets it.
    case noElements(aggregate: String)

    /// A one-line message.
    public var description: String {
        switch self {
        case .noElements(let aggregate): "\(aggregate) of no elements has no result"
        }
    }
}
