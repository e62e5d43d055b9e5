import CoreMetrics

/// Writes batches to a sink; time has no meaning past it. An element the sink refuses for a
/// reason of its own (``RecordRejected``) goes to the job's bad-input policy, naming the source
/// record it came from, and the rest of the batch is written.
final class SinkNode<Element, Target: Sink>: Node<Element> where Target.Element == Element {
    private let sink: Target
    private let failures: FailureHandler
    /// Counts the records the sink accepted, once per batch.
    private let written: CoreMetrics.Counter?

    init(sink: Target, failures: FailureHandler, written: CoreMetrics.Counter? = nil) {
        self.sink = sink
        self.failures = failures
        self.written = written
    }

    override func push(_ batch: StreamBatch<Element>) throws {
        var start = 0
        var rejected = 0
        while start < batch.count {
            do {
                try sink.write(start == 0 ? batch.values : Array(batch.values[start...]))
                break
            } catch let rejection as RecordRejected {
                let index = start + rejection.index
                try failures.handle(rejection.underlying, origin: batch.origins[index], operatorName: "sink(\(sink.name))")
                rejected += 1
                start = index + 1
            } catch {
                throw JobError.connectorFailed("sink \(sink.name)", underlying: error)
            }
        }
        if batch.count > rejected { written?.increment(by: batch.count - rejected) }
    }

    override func onWatermark(_ watermark: Int64, idle: Bool) {}

    override func onProcessingTime(_ now: Int64) {}
}
