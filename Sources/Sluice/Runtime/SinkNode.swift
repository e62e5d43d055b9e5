import CoreMetrics

/// Writes batches through the task's writer of a sink; time has no meaning past it. An element
/// the sink refuses for a reason of its own (``RecordRejected``) goes to the job's bad-input
/// policy, naming the source record it came from, and the rest of the batch is written.
final class SinkNode<Element>: Node<Element> {
    private let writer: any SinkWriter<Element>
    private let sinkName: String
    private let failures: FailureHandler
    private let written: RecordCounter
    /// The task's `sluice_sink_records_out_total` for this sink, added to once per batch.
    private let recordsOut: CoreMetrics.Counter?

    init(writer: any SinkWriter<Element>, sinkName: String, failures: FailureHandler, written: RecordCounter,
         recordsOut: CoreMetrics.Counter? = nil) {
        self.writer = writer
        self.sinkName = sinkName
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
                try writer.write(start == 0 ? batch.values : Array(batch.values[start...]))
                accepted += batch.count - start
                return
            } catch let rejection as RecordRejected {
                accepted += rejection.index
                let index = start + rejection.index
                try failures.handle(rejection.underlying, origin: batch.origins[index], operatorName: "sink(\(sinkName))")
                start = index + 1
            } catch {
                throw JobError.connectorFailed("sink \(sinkName)", underlying: error)
            }
        }
    }

    override func onWatermark(_ watermark: Int64, idle: Bool) {}

    override func onProcessingTime(_ now: Int64) {}
}
