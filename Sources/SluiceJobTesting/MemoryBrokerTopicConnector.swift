import Sluice
import SluiceJob
import SluiceTesting

/// A `JobContext`'s topics on a worker's `MemoryBrokerRuntime`.
final class MemoryBrokerTopicConnector: TopicConnector {
    let runtime: MemoryBrokerRuntime

    init(runtime: MemoryBrokerRuntime) {
        self.runtime = runtime
    }

    var workerID: String { runtime.workerID }

    func source(topics: [String]) throws -> any Source<SourceRecord> {
        try runtime.source(topics: topics)
    }

    func sink(topic: String?) -> any Sink<SinkRecord> {
        runtime.sink(topic: topic)
    }
}
