import BrokerRig
import Foundation
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// Broker-backed tests of Sluice jobs over Kafka.
class KafkaJobTestCase: BrokerTestCase {
    override var librdkafkaVersion: String { KafkaProducer.librdkafkaVersion }

    /// Consumer settings for Tansu, whose JoinGroup waits up to the rebalance timeout.
    static let groupProperties = ["session.timeout.ms": "6000", "max.poll.interval.ms": "10000", "heartbeat.interval.ms": "500"]
    /// ``groupProperties`` as a ``KafkaRuntime``'s typed consumer options, with dynamic
    /// membership: these tests move partitions between workers, and Tansu 0.6 does not follow a
    /// static member (the default) that gives partitions away in a cooperative rebalance or
    /// rejoins a group of several (README, "Restarts and group membership"). The static default
    /// is tested where Tansu can show it (`WorkerIdentityTests`, the examples' single workers).
    static let groupOptions = ConsumerOptions(
        sessionTimeout: .seconds(6), heartbeatInterval: .milliseconds(500), maxPollInterval: .seconds(10), membership: .dynamic)

    /// Starts Tansu, names it in the output, and returns it with an admin client; the caller
    /// stops the broker.
    func startTansu() throws -> (broker: TestBroker, admin: KafkaAdmin) {
        let broker = try TestBroker.start(.tansu)
        announce("Tansu at \(broker.bootstrap)")
        return (broker, try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrap)))
    }

    /// Runs `job` on its own thread; returns a handle to stop it and collect its outcome.
    func start(_ job: Job) -> RunningJob {
        RunningJob(job: job)
    }

    /// Reads every record of `topic` from the beginning until `count` arrived (and a short
    /// quiet period passed, so extra records show up) or `timeout`.
    func readAll(bootstrap: String, topic: String, count: Int, timeout: Duration = .seconds(60)) throws -> [ConsumerRecord] {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: bootstrap))
        defer { consumer.close() }
        let partitions = try consumer.describeTopic(topic).partitions.map(\.id)
        try consumer.assign(partitions.map { TopicPartitionOffset(topic, $0, offset: KafkaOffset.beginning) })
        var out: [ConsumerRecord] = []
        let deadline = ContinuousClock.now + timeout
        while out.count < count && ContinuousClock.now < deadline {
            out += try consumer.poll(maxRecords: 1000, timeout: .milliseconds(100))
        }
        let quiet = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < quiet {
            out += try consumer.poll(maxRecords: 1000, timeout: .milliseconds(100))
        }
        return out
    }
}

/// A job running on a background thread.
final class RunningJob: @unchecked Sendable {
    private let job: Job
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<JobMetrics, Error>?

    init(job: Job) {
        self.job = job
        let thread = Thread { [self] in
            outcome = Result { try self.job.run() }
            done.signal()
        }
        thread.start()
    }

    /// Waits for a bounded job to end by itself; stops it and fails when it does not within
    /// `timeout` s. Returns its metrics or rethrows its failure.
    @discardableResult
    func waitForEnd(timeout: TimeInterval = 90) throws -> JobMetrics {
        guard done.wait(timeout: .now() + timeout) == .success else {
            _ = try? stop(timeout: 30)
            throw JobTestError("the bounded job did not end by itself within \(timeout) s")
        }
        done.signal()
        return try outcome!.get()
    }

    /// Stops the job and waits for it; returns its metrics or rethrows its failure.
    @discardableResult
    func stop(timeout: TimeInterval = 60) throws -> JobMetrics {
        job.stop()
        guard done.wait(timeout: .now() + timeout) == .success else {
            throw JobTestError("job did not stop within \(timeout) s")
        }
        return try outcome!.get()
    }
}

struct JobTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
