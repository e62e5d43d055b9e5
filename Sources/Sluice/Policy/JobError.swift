/// Why a job could not be planned or could not go on.
public enum JobError: Error, CustomStringConvertible {
    /// The dataflow cannot be turned into stages.
    case invalidPlan(String)
    /// The plan needs something this build of the engine or its connectors does not offer.
    case unsupported(String)
    /// A sink, source or commit point failed; not the fault of one record.
    case connectorFailed(String, underlying: any Error)
    /// The restart strategy gave up after `attempts` restarts without a successful checkpoint.
    case restartsExhausted(attempts: Int, last: any Error)

    /// A message with the reason, or with the failed connector and its error.
    public var description: String {
        switch self {
        case .invalidPlan(let reason): "invalid job plan: \(reason)"
        case .unsupported(let reason): "unsupported: \(reason)"
        case .connectorFailed(let what, let error): "\(what) failed: \(error)"
        case .restartsExhausted(let attempts, let error): "gave up after \(attempts) restarts: \(error)"
        }
    }
}
