/// Why keyed state could not be registered, snapshotted or restored.
public enum StateError: Error, Equatable, CustomStringConvertible {
    /// A key or state has no codec, so its contents cannot become bytes.
    case notSnapshottable(String)
    /// A state was registered without a codec while its backend tracks changes for
    /// checkpoints, which could never capture it: names the state and the type lacking a codec.
    case codecRequired(state: String, type: String)
    /// The same name was registered as two different kinds or types of state.
    case conflictingRegistration(String)
    /// User state was given a name Sluice keeps for its own state (see ``KeyedStateBackend``).
    case reservedName(String)
    /// A snapshot of only the changed keys was asked of an operator that does not track changes.
    case changesNotTracked(String)
    /// The snapshot bytes are not in the backend's format.
    case corruptSnapshot(String)
    /// A window operator asked a keyed backend that cannot hold window contents for them
    /// (``KeyedStateBackend/windowState(_:)``): names the keyed backend's type.
    case windowStateUnsupported(backend: String)

    /// A message saying what failed and why.
    public var description: String {
        switch self {
        case .notSnapshottable(let what): "cannot snapshot \(what): no codec"
        case .codecRequired(let state, let type):
            "state '\(state)' holds \(type), which has no codec: make \(type) Codable or give the state's descriptor a codec"
        case .conflictingRegistration(let name): "state '\(name)' is already registered with another kind or type"
        case .reservedName(let name):
            "state name '\(name)' is reserved: names starting with '\(ReservedStateName.prefix)' belong to Sluice"
        case .changesNotTracked(let owner):
            "\(owner) does not track changed keys (KeyedStateBackend.tracksChanges is off), so only a full snapshot can capture it"
        case .corruptSnapshot(let reason): "corrupt state snapshot: \(reason)"
        case .windowStateUnsupported(let backend): "the keyed state backend \(backend) cannot hold window contents"
        }
    }
}
