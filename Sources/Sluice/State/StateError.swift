/// Why keyed state could not be registered, snapshotted or restored.
public enum StateError: Error, Equatable, CustomStringConvertible {
    /// A key or state has no codec, so its contents cannot become bytes.
    case notSnapshottable(String)
    /// The same name was registered as two different kinds or types of state.
    case conflictingRegistration(String)
    /// The snapshot bytes are not in the backend's format.
    case corruptSnapshot(String)

    /// A message saying what failed and why.
    public var description: String {
        switch self {
        case .notSnapshottable(let what): "cannot snapshot \(what): no codec"
        case .conflictingRegistration(let name): "state '\(name)' is already registered with another kind or type"
        case .corruptSnapshot(let reason): "corrupt state snapshot: \(reason)"
        }
    }
}
