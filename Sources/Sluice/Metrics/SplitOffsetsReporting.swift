/// A source that can tell, without asking a broker, how far each of its splits extends: what
/// consumer lag is computed from.
public protocol SplitOffsetsReporting: AnyObject {
    /// Per split, the offset after its last record as the source last learned it (a Kafka
    /// partition's high watermark from the latest fetch response) and the source's read
    /// position; splits it knows nothing about yet are left out. Called on the driver thread,
    /// at most once per checkpoint interval; must not block on the network.
    func splitOffsets(_ splits: [Split]) -> [Split: SplitOffsets]
}

/// How far a split extends and where its source reads.
public struct SplitOffsets: Sendable, Equatable {
    /// The offset after the split's last record (Kafka: the high watermark).
    public var end: Int64
    /// The offset the source reads next, when known.
    public var position: Int64?

    /// Offsets as a source reports them.
    public init(end: Int64, position: Int64?) {
        self.end = end
        self.position = position
    }
}
