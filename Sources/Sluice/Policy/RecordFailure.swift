/// A record the job could not handle, under the ``BadInputPolicy/fail`` policy.
public struct RecordFailure: Error, CustomStringConvertible {
    /// Where the record came from, when the failing element descends from one polled record;
    /// `nil` for output of windows and timers, which no single record caused.
    public var topic: String?
    /// The partition of ``topic`` the record was read from.
    public var partition: Int32?
    /// The failed record's own offset, not the position after it.
    public var offset: Int64?
    /// The operator that failed, such as `map` or `deserialize`.
    public var operatorName: String
    /// The error the operator threw.
    public var underlying: any Error

    /// A message naming the record (when known), the operator and the error.
    public var description: String {
        let place = if let topic, let partition, let offset {
            "record at topic \(topic), partition \(partition), offset \(offset)"
        } else {
            "an element not traceable to one record (window or timer output)"
        }
        let reason = (underlying as? DecodingError)?.summary ?? "\(underlying)"
        return "\(place) failed in \(operatorName): \(reason)"
    }
}
