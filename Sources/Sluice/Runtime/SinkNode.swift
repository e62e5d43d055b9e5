import CoreMetrics

/// Writes batches to a sink; time has no meaning past it. An element the sink refuses for a
/// reason of its own (``RecordRejected``) goes to the job's bad-input policy, naming the source
/// record it came from, and the rest of the batch is written.
final class SinkNode<Element, Target: Sink>: Node<Element> where Target.Element == Element {
    private let sink: Target
    private let failures: FailureHandler
    private let written: RecordCounter
    /// The task's `sluice_sink_records_out_total` for this sink, added to once per batch.
    private let recordsOut: CoreMetrics.Counter?

    init(sink: Target, failures: FailureHandler, written: RecordCounter, recordsOut: CoreMetrics.Counter? = nil) {
        self.sink = sink
        self.failures = failures
        self.written = written
        self.recordsOut = recordsOut
    }

    override func push(_ batch: StreamBatch<Element>) throws {
        var start = 0
        var accepted = 0
        defer {
            written.add(accepted)
            if accepted > 0 { recordsOut?.increment(by: accepted) }
        }
        while start < batch.count {
            do {
                try sink.write(start == 0 ? batch.values : Array(batch.values[start...]))
                accepted += batch.count - start
                return
            } catch let rejection as RecordRejected {
                accepted += rejection.index
                let index = start + rejection.index
                try failures.handle(rejection.underlying, origin: batch.origins[index], operatorName: "sink(\(sink.name))")
                start = index + 1
            } catch {
                throw JobError.connectorFailed("sink \(sink.name)", underlying: error)
            }
        }
    }

    override func onWatermark(_ watermark: Int64, idle: Bool) {}

    override func onProcessingTime(_ now: Int64) {}
}
