/// A connector refused one record of a batch it was given, for a reason that lies in the record
/// (too large for the broker, invalid for the topic), not in the connection: writing it again
/// would fail again.
///
/// ``Sink/write(_:)`` and ``DistributedExchangeTransport/write(_:to:)`` throw it for the
/// first refused element; the elements before ``index`` were accepted, the ones after it were
/// not attempted. The runtime hands the refused element to the job's ``BadInputPolicy`` (fail,
/// skip or dead-letter, naming the source record it came from) and writes the rest, instead of
/// failing the whole batch at the same place after every restart.
public struct RecordRejected: Error, CustomStringConvertible {
    /// The position of the refused element in the batch.
    public var index: Int
    /// Why the connector refused it.
    public var underlying: any Error

    /// The element at `index` was refused because of `underlying`.
    public init(index: Int, underlying: any Error) {
        self.index = index
        self.underlying = underlying
    }

    /// The connector's reason.
    public var description: String { "record refused: \(underlying)" }
}
