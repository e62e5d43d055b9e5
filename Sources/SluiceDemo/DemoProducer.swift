import Foundation
import Logging
import RdKafka
import Sluice
import Synchronization

/// Writes the demo's order stream to the input topic at a steady pace on a thread of its own,
/// keyed by order number with the Java client's partitioner, each record stamped with its
/// event time; then one end marker per partition.
final class DemoProducer: @unchecked Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private let written = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let failure = Mutex<(any Error)?>(nil)

    init(bootstrap: String, topic: String) throws {
        var configuration = ProducerConfiguration(bootstrapServers: bootstrap)
        configuration.client.properties["partitioner"] = "murmur2_random"
        configuration.linger = .milliseconds(5)
        // Write errors surface from send and flush; the connection lines librdkafka logs when
        // the demo's broker stops at the end are expected.
        var logger = Logger(label: "sluice.demo.producer")
        logger.logLevel = .critical
        producer = try KafkaProducer(configuration: configuration, logger: logger)
        self.topic = topic
    }

    /// Orders written so far.
    var count: Int { written.load(ordering: .relaxed) }

    /// Starts writing `perSecond` orders a second until ``stop()``.
    func start(perSecond: Int) {
        Thread { [self] in
            let codec = JSONCodec<DemoOrder>()
            let started = ContinuousClock.now
            var i = 0
            do {
                while !stopping.load(ordering: .relaxed) {
                    let due = Int(Double((ContinuousClock.now - started).components.seconds) * Double(perSecond)
                        + Double((ContinuousClock.now - started).components.attoseconds) / 1e18 * Double(perSecond))
                    while i < due {
                        let order = DemoOrderStream.order(i)
                        try producer.send(
                            topic: topic, key: Array(String(order.order).utf8), value: try codec.serialize(order),
                            timestamp: DemoOrderStream.timestamp(i))
                        i += 1
                    }
                    written.store(i, ordering: .relaxed)
                    Thread.sleep(forTimeInterval: 0.01)
                }
                try producer.flush()
            } catch {
                failure.withLock { $0 = error }
            }
            written.store(i, ordering: .relaxed)
            finished.signal()
        }.start()
    }

    /// Stops writing orders, then writes one end marker to each of `partitions` partitions:
    /// its event time is past every order's window, so every window closes. Returns the number
    /// of orders written.
    func stop(partitions: Int) throws -> Int {
        stopping.store(true, ordering: .relaxed)
        finished.wait()
        if let error = failure.withLock({ $0 }) { throw DemoError("writing orders to \(topic): \(error)") }
        let count = written.load(ordering: .relaxed)
        let end = DemoOrderStream.timestamp(count) + 10 * DemoOrderStream.windowMillis
        let codec = JSONCodec<DemoOrder>()
        for partition in 0..<partitions {
            let marker = DemoOrder(order: -1 - partition, customer: DemoOrder.endCustomer, cents: 0)
            try producer.send(
                topic: topic, partition: Int32(partition), key: nil, value: try codec.serialize(marker), timestamp: end)
        }
        try producer.flush()
        return count
    }
}
