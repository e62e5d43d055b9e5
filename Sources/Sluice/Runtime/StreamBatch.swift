/// A batch of elements flowing between operators, with each element's event timestamp.
///
/// Values and timestamps are parallel arrays so that a `map` shares the timestamp storage of its
/// input instead of copying it, which keeps the stateless hot path to one array write per
/// element.
public struct StreamBatch<Element> {
    public var values: [Element]
    public var timestamps: [Int64]
    /// Per element, which polled source record it descends from (``RecordOrigin``), so the
    /// bad-input policy can name and dead-letter the original record of a failing element.
    var origins: [RecordOrigin]

    public init() {
        values = []
        timestamps = []
        origins = []
    }

    /// A batch whose elements cannot be traced to a polled record, such as elements an
    /// exchange read back from a repartition topic.
    public init(values: [Element], timestamps: [Int64]) {
        precondition(values.count == timestamps.count, "one timestamp per value")
        self.values = values
        self.timestamps = timestamps
        self.origins = Array(repeating: .unknown, count: values.count)
    }

    init(values: [Element], timestamps: [Int64], origins: [RecordOrigin]) {
        self.values = values
        self.timestamps = timestamps
        self.origins = origins
    }

    public var count: Int { values.count }

    public var isEmpty: Bool { values.isEmpty }

    mutating func reserveCapacity(_ capacity: Int) {
        values.reserveCapacity(capacity)
        timestamps.reserveCapacity(capacity)
        origins.reserveCapacity(capacity)
    }

    mutating func append(_ value: Element, timestamp: Int64, origin: RecordOrigin) {
        values.append(value)
        timestamps.append(timestamp)
        origins.append(origin)
    }
}
