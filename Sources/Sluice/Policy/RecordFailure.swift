/// A record the job could not handle, under the ``BadInputPolicy/fail`` policy.
public struct RecordFailure: Error, CustomStringConvertible {
    /// Where the record came from, when the failing element descends from one polled record;
    /// `nil` for output of windows and timers, which no single record caused.
    public var topic: String?
    public var partition: Int32?
    public var offset: Int64?
    /// The operator that failed, such as `map` or `deserialize`.
    public var operatorName: String
    public var underlying: any Error

    public var description: String {
        let place = if let topic, let partition, let offset {
            "record at topic \(topic), partition \(partition), offset \(offset)"
        } else {
            "an element not traceable to one record (window or timer output)"
        }
        return "\(place) failed in \(operatorName): \(underlying)"
    }
}
