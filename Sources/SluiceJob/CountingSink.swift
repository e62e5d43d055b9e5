import Sluice
import SluiceKafka
import Synchronization

/// A Kafka sink that counts the records it accepted, for the run's closing line. Make it with
/// ``JobContext/sink(topic:)``; it writes exactly as the `KafkaSink` it wraps (inside the
/// worker's transaction under exactly-once).
///
/// The count is of records handed to the producer, so records of a transaction that was
/// aborted and written again after a restart count twice.
public final class CountingSink: Sink, RuntimeBound, Sendable {
    /// Kafka records.
    public typealias Element = SinkRecord

    private let inner: KafkaSink
    private let counter: Counter

    /// Records accepted by all sinks sharing a counter.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func add(_ count: Int) { value.add(count, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }

    init(_ inner: KafkaSink, counter: Counter) {
        self.inner = inner
        self.counter = counter
    }

    /// The wrapped sink's runtime.
    public var runtime: any JobRuntime { inner.runtime }

    /// The wrapped sink's name, `kafka:<topic>`.
    public var name: String { inner.name }

    /// Writes through the wrapped sink and counts what it accepted.
    public func write(_ elements: [SinkRecord]) throws {
        do {
            try inner.write(elements)
            counter.add(elements.count)
        } catch let rejection as RecordRejected {
            counter.add(rejection.index)
            throw rejection
        }
    }

    /// Flushes the wrapped sink.
    public func flush() throws {
        try inner.flush()
    }

    /// Closes the wrapped sink.
    public func close() {
        inner.close()
    }
}
