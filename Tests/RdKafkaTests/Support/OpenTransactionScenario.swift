import Foundation
import RdKafka

/// A topic where committed and plain records sit behind another producer's open
/// transaction, made by ``Scenarios/recordsBehindAnOpenTransaction(bootstrap:topic:)``.
struct OpenTransactionScenario {
    /// What was produced, in order.
    let ledger: ProductionLedger
    /// The producer whose transaction is still open; releasing it would end the transaction.
    let openProducer: KafkaProducer
    /// The open transaction's number in ``ledger``.
    let openTransaction: Int

    /// Ends the open transaction as aborted, the way every open transaction is taken to end in
    /// the verifier's eventual view.
    func abortOpenTransaction() throws {
        try openProducer.abortTransaction()
        ledger.ended(openTransaction, as: .aborted)
    }
}

extension Scenarios {
    /// Fills a topic of 3 partitions, step by step (each step ends before the next begins):
    ///
    /// 1. producer A commits 6 records to partition 0 and 4 to partition 1;
    /// 2. A aborts 5 records in partition 1 and 3 in partition 2;
    /// 3. 2 plain records go to partition 0;
    /// 4. A commits 4 records to partition 2;
    /// 5. producer O begins a transaction, sends 3 records to partition 0 and 1 to partition 2,
    ///    flushes and leaves it open;
    /// 6. producer B commits 5 records to partition 0, 3 to partition 1 and 2 to partition 2;
    /// 7. B aborts 5 records in partition 0;
    /// 8. 3 plain records go to partition 0 and 2 to partition 1, last in both.
    ///
    /// So 24 committed, 13 aborted, 4 open and 7 plain records; per partition it wrote to,
    /// 6 committed, 3 aborted and 2 open transactions. Behind O's records (partitions 0 and
    /// 2) are 7 committed and 3 plain records: a read_committed reader sees 21 records now and
    /// 31 once O aborts. Partition 1 has no open transaction, so B's records and the plain
    /// records there are visible now.
    static func recordsBehindAnOpenTransaction(bootstrap: String, topic: String) throws -> OpenTransactionScenario {
        let ledger = ProductionLedger()
        func transactionalProducer(_ name: String) throws -> KafkaProducer {
            var configuration = ProducerConfiguration(bootstrapServers: bootstrap)
            configuration.transactionalID = "\(name)-\(UUID().uuidString.prefix(8))"
            let producer = try KafkaProducer(configuration: configuration, onDelivery: ledger.deliveries.handler)
            try producer.initTransactions()
            return producer
        }
        let a = try transactionalProducer("a"), o = try transactionalProducer("o"), b = try transactionalProducer("b")
        var plainConfiguration = ProducerConfiguration(bootstrapServers: bootstrap)
        // Lets each plain step leave as one multi-record batch, so the last batch of a
        // partition holds several records (Tansu's end offsets count from a batch's base).
        plainConfiguration.linger = .milliseconds(50)
        let plain = try KafkaProducer(configuration: plainConfiguration, onDelivery: ledger.deliveries.handler)

        try ledger.transaction(a, ending: .committed) { t in
            try ledger.send(a, topic: topic, partition: 0, count: 6, label: "a-committed", transaction: t)
            try ledger.send(a, topic: topic, partition: 1, count: 4, label: "a-committed", transaction: t)
        }
        try ledger.transaction(a, ending: .aborted) { t in
            try ledger.send(a, topic: topic, partition: 1, count: 5, label: "a-aborted", transaction: t)
            try ledger.send(a, topic: topic, partition: 2, count: 3, label: "a-aborted", transaction: t)
        }
        try ledger.send(plain, topic: topic, partition: 0, count: 2, label: "plain-before", transaction: nil)
        try plain.flush()
        try ledger.transaction(a, ending: .committed) { t in
            try ledger.send(a, topic: topic, partition: 2, count: 4, label: "a-committed-late", transaction: t)
        }
        let open = try ledger.transaction(o, ending: nil) { t in
            try ledger.send(o, topic: topic, partition: 0, count: 3, label: "o-open", transaction: t)
            try ledger.send(o, topic: topic, partition: 2, count: 1, label: "o-open", transaction: t)
        }
        try ledger.transaction(b, ending: .committed) { t in
            try ledger.send(b, topic: topic, partition: 0, count: 5, label: "b-committed", transaction: t)
            try ledger.send(b, topic: topic, partition: 1, count: 3, label: "b-committed", transaction: t)
            try ledger.send(b, topic: topic, partition: 2, count: 2, label: "b-committed", transaction: t)
        }
        try ledger.transaction(b, ending: .aborted) { t in
            try ledger.send(b, topic: topic, partition: 0, count: 5, label: "b-aborted", transaction: t)
        }
        try ledger.send(plain, topic: topic, partition: 0, count: 3, label: "plain-after", transaction: nil)
        try ledger.send(plain, topic: topic, partition: 1, count: 2, label: "plain-after", transaction: nil)
        try plain.flush()
        return OpenTransactionScenario(ledger: ledger, openProducer: o, openTransaction: open)
    }
}
