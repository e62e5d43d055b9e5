/// One repartition topic of a running job: where its exchange's senders write, how many
/// upstream tasks its downstream tasks wait for, and whether records count only once their
/// upstream transaction committed (``RepartitionInbox``).
final class RepartitionTopic: Sendable {
    let name: String
    let partitionCount: Int
    /// Tasks of the upstream stage, each of which sends its own watermark.
    let upstreamCount: Int
    let transport: any DistributedExchangeTransport
    /// Exactly-once: records carry their checkpoint and commit markers gate them downstream.
    let exactlyOnce: Bool

    init(name: String, partitionCount: Int, upstreamCount: Int, transport: any DistributedExchangeTransport, exactlyOnce: Bool) {
        self.name = name
        self.partitionCount = partitionCount
        self.upstreamCount = upstreamCount
        self.transport = transport
        self.exactlyOnce = exactlyOnce
    }

    /// Writes `records`, handing each record the connector refuses to `refused` with its index
    /// (the element's bad-input policy decides) and writing the rest.
    func write(_ records: [ExchangeRecord], refused: (Int, any Error) throws -> Void) throws {
        var start = 0
        while start < records.count {
            do {
                try transport.write(start == 0 ? records : Array(records[start...]), to: name)
                return
            } catch let rejection as RecordRejected {
                try refused(start + rejection.index, rejection.underlying)
                start += rejection.index + 1
            } catch {
                throw JobError.connectorFailed("writing to repartition topic \(name)", underlying: error)
            }
        }
    }
}
