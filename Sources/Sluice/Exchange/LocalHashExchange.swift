/// The in-process exchange of local runs: per (upstream task, downstream partition) a
/// mailbox of batches, handed over without copying or serializing.
///
/// Each mailbox is written only by its upstream task during the upstream phase of a round and
/// read only by its downstream task in the next phase; the runtime's phase barrier orders the
/// two, which is why the unchecked `Sendable` conformance is sound.
public final class LocalHashExchange<Element>: Exchange, @unchecked Sendable {
    private final class Mailbox {
        var batches: [StreamBatch<Element>] = []
    }

    private final class UpstreamWatermark {
        var watermark: Int64 = .min
        var idle = false
    }

    /// The number of downstream tasks given at creation.
    public let partitionCount: Int
    private let mailboxes: [[Mailbox]]
    private let upstreamWatermarks: [UpstreamWatermark]

    /// - Parameters:
    ///   - upstreamCount: the number of tasks sending into the exchange.
    ///   - partitionCount: the number of downstream tasks.
    public init(upstreamCount: Int, partitionCount: Int) {
        self.partitionCount = partitionCount
        mailboxes = (0..<upstreamCount).map { _ in (0..<partitionCount).map { _ in Mailbox() } }
        upstreamWatermarks = (0..<upstreamCount).map { _ in UpstreamWatermark() }
    }

    /// Queues `batch` in the mailbox of `upstream` and `partition`, without copying.
    public func send(_ batch: StreamBatch<Element>, toPartition partition: Int, from upstream: Int) {
        mailboxes[upstream][partition].batches.append(batch)
    }

    /// Records the task's watermark, which never moves back, and whether it is idle.
    public func sendWatermark(_ watermark: Int64, idle: Bool, from upstream: Int) {
        let entry = upstreamWatermarks[upstream]
        entry.watermark = max(entry.watermark, watermark)
        entry.idle = idle
    }

    /// Empties the partition's mailboxes, upstream task by upstream task.
    public func receive(partition: Int) -> ExchangeDelivery<Element> {
        var batches: [StreamBatch<Element>] = []
        for upstream in mailboxes.indices {
            let mailbox = mailboxes[upstream][partition]
            if !mailbox.batches.isEmpty {
                batches.append(contentsOf: mailbox.batches)
                mailbox.batches.removeAll(keepingCapacity: true)
            }
        }
        var minimum: Int64?
        for entry in upstreamWatermarks where !entry.idle {
            minimum = min(minimum ?? .max, entry.watermark)
        }
        return ExchangeDelivery(batches: batches, watermark: minimum)
    }
}
