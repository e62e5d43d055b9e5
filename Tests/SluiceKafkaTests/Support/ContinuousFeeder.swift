import Foundation
import KafkaTestJobs
import RdKafka
import Synchronization

/// Writes a numbered stream of records (the purchase stream, ``PurchaseJob/purchase(_:)``, unless
/// told otherwise) to a topic from its own thread at a steady rate until stopped, so a job's
/// input keeps arriving while workers come and go.
final class ContinuousFeeder: Sendable {
    /// Writes the records of a range of indices to a topic and flushes.
    typealias Produce = @Sendable (_ range: Range<Int>, _ topic: String, _ producer: KafkaProducer) throws -> Void

    private let producer: KafkaProducer
    private let topic: String
    private let recordsPerSecond: Int
    private let produce: Produce
    private let produced = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let failure = Mutex<String?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts writing at once; `produce` writes records `range` (purchases by default).
    init(bootstrap: String, topic: String, recordsPerSecond: Int, produce: @escaping Produce = PurchaseJob.produce) throws {
        producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap))
        self.topic = topic
        self.recordsPerSecond = recordsPerSecond
        self.produce = produce
        Thread { [self] in feed() }.start()
    }

    /// Records written and delivered so far.
    var count: Int { produced.load(ordering: .acquiring) }

    private func feed() {
        defer { done.signal() }
        let started = ContinuousClock.now
        while !stopping.load(ordering: .acquiring) {
            let elapsed = ContinuousClock.now - started
            let due = Int(Double(recordsPerSecond) * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            let from = produced.load(ordering: .relaxed)
            if due > from {
                do {
                    try produce(from..<due, topic, producer)
                } catch {
                    failure.withLock { $0 = "writing records \(from)..<\(due) to \(topic): \(error)" }
                    return
                }
                produced.store(due, ordering: .releasing)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Stops writing after the chunk in flight (again: returns at once); returns how many purchases were written, or
    /// throws what made writing fail.
    @discardableResult
    func stop() throws -> Int {
        stopping.store(true, ordering: .releasing)
        done.wait()
        done.signal()  // a second stop returns at once
        if let failure = failure.withLock({ $0 }) { throw JobTestError(failure) }
        return count
    }
}
