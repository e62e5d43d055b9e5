import Foundation
import Logging
import RdKafka
import Sluice

/// The exactly-once commit point of a Kafka worker: the worker producer's transaction.
///
/// ``commit(_:)`` sends every position (input partitions, repartition partitions, checkpoint
/// pointers) to the transaction with the consumer's current group metadata (KIP-447), then
/// commits it, so outputs, positions and task state become visible together or not at all.
/// Retriable errors are retried with backoff for up to ``retryBudget``; abortable and fatal
/// errors are thrown for the worker to abort and rewind, or stop.
///
/// A transactional call that times out stays in progress inside librdkafka, which then refuses
/// any other transactional call (`_CONFLICT`) until the same call is made again and ends. So an
/// abort cut short by an outage is resumed before the next transaction begins; and a commit
/// whose outcome is still unknown when the retry budget is spent stops the worker
/// (``KafkaConnectorError/transactionOutcomeUnknown(bootstrap:reason:)``): going on as if it
/// had aborted could commit the same work twice, and a restart resumes from whatever Kafka did
/// commit.
final class TransactionalCommitPoint: CommitPoint, @unchecked Sendable {
    private let producer: WorkerProducer
    private let consumer: KafkaConsumer
    private let bootstrapServers: String
    private let logger: Logger
    /// How long a retriable failure of one transactional call is retried.
    let retryBudget: Duration
    /// An abort that did not end (the brokers were away): it is resumed before anything else.
    private var abortInProgress = false

    init(producer: WorkerProducer, consumer: KafkaConsumer, bootstrapServers: String, retryBudget: Duration = .seconds(30),
         logger: Logger) {
        self.producer = producer
        self.consumer = consumer
        self.bootstrapServers = bootstrapServers
        self.retryBudget = retryBudget
        self.logger = logger
    }

    func begin() throws {
        if abortInProgress { try abort() }
        do {
            try producer.producer.beginTransaction()
        } catch {
            throw producer.identified(error)
        }
    }

    func commit(_ commit: Commit) throws {
        let offsets = commit.positions.sorted { $0.key < $1.key }
            .map { TopicPartitionOffset($0.key.topic, $0.key.partition, offset: $0.value) }
        if !offsets.isEmpty {
            try retrying("sending offsets to the transaction") {
                try producer.producer.sendOffsetsToTransaction(
                    offsets, groupMetadata: try consumer.groupMetadata(), timeout: .seconds(10))
            }
        }
        do {
            try retrying("committing the transaction") {
                try producer.producer.commitTransaction(timeout: .seconds(10))
            }
        } catch let error as KafkaError where error.isRetriable || error.meansUnreachable {
            throw KafkaConnectorError.transactionOutcomeUnknown(bootstrap: bootstrapServers, reason: error.message)
        }
    }

    /// Does nothing once the worker was fenced: the newer process aborted the transaction when
    /// it took the transactional id over, and the broker would refuse this one's abort anyway
    /// (Tansu lets it time out, which the retries would stretch to ``retryBudget``).
    func abort() throws {
        if producer.fencing.error != nil { return }
        abortInProgress = true
        try retrying("aborting the transaction") {
            try producer.producer.abortTransaction(timeout: .seconds(10))
        }
        abortInProgress = false
        producer.discardFailures()
    }

    func committedPositions(for splits: [Split]) throws -> [Split: Int64] {
        try OffsetCommitPoint.committedPositions(of: consumer, for: splits)
    }

    /// Runs `call`, repeating it after retriable errors (librdkafka: "the call may be retried")
    /// with growing pauses until the budget is spent. The error that ends it names the brokers,
    /// so a job that gives up on an unreachable cluster says which.
    private func retrying(_ what: String, _ call: () throws -> Void) throws {
        let deadline = ContinuousClock.now + retryBudget
        var pause = Duration.milliseconds(100)
        while true {
            do {
                return try call()
            } catch let error as KafkaError where error.isRetriable && !error.isFatal && !error.requiresAbort
                && producer.fencing.error == nil && ContinuousClock.now + pause < deadline
            {
                logger.info("\(what): \(error); retrying in \(pause)")
                Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds))
                pause = min(pause * 2, .seconds(2))
            } catch let error as KafkaError {
                let place = error.meansUnreachable ? "cannot reach Kafka at \(bootstrapServers)" : "Kafka at \(bootstrapServers)"
                throw producer.identified(KafkaError(
                    code: error.code, name: error.name, message: "\(place): \(what): \(error.message)",
                    isRetriable: error.isRetriable || error.meansUnreachable, requiresAbort: error.requiresAbort, isFatal: error.isFatal))
            }
        }
    }
}
