/// A batch of elements flowing between operators, with each element's event timestamp.
///
/// Values and timestamps are parallel arrays so that a `map` shares the timestamp storage of its
/// input instead of copying it, which keeps the stateless hot path to one array write per
/// element.
public struct StreamBatch<Element> {
    /// The elements, in order.
    public var values: [Element]
    /// Each element's event time in milliseconds, parallel to ``values``.
    public var timestamps: [Int64]
    /// Per element, which polled source record it descends from (``RecordOrigin``), so the
    /// bad-input policy can name and dead-letter the original record of a failing element.
    var origins: [RecordOrigin]

    /// An empty batch.
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

    /// The number of elements.
    public var count: Int { values.count }

    /// Whether the batch has no elements.
    public var isEmpty: Bool { values.isEmpty }

    mutating func reserveCapacity(_ capacity: Int) {
        values.reserveCapacity(capacity)
        timestamps.reserveCapacity(capacity)
        origins.reserveCapacity(capacity)
    }

    /// The elements at `indices`, in that order.
    ///
    /// Operators that keep or route a subset of a batch collect the indices first and gather
    /// once: in code that is generic over `Element` and runs unspecialized, each ``append(_:timestamp:origin:)``
    /// looks up the metadata of `[Element]` at run time, while a gather does that once per batch.
    func gathering(_ indices: [Int]) -> StreamBatch {
        // A plain loop rather than `indices.map`, whose unspecialized form goes through the
        // `Collection` witnesses for every element.
        var gathered: [Element] = []
        gathered.reserveCapacity(indices.count)
        for index in indices { gathered.append(values[index]) }
        return StreamBatch(
            values: gathered, timestamps: indices.map { timestamps[$0] }, origins: indices.map { origins[$0] })
    }

    mutating func append(_ value: Element, timestamp: Int64, origin: RecordOrigin) {
        values.append(value)
        timestamps.append(timestamp)
        origins.append(origin)
    }
}
