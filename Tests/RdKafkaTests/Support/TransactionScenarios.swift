import BrokerRig
import Foundation
import RdKafka
import XCTest

extension Scenarios {
    /// Writes 10 records in a committed transaction, 10 in an aborted one, 5 in a committed
    /// one and 3 in one left open, and returns the values of the committed ones
    /// (`c0`...`c14`). The producer is returned too: closing it would abort the open
    /// transaction.
    static func mixedTransactions(bootstrap: String, topic: String, partitions: Int32) throws -> (KafkaProducer, Set<String>) {
        var configuration = ProducerConfiguration(bootstrapServers: bootstrap)
        configuration.transactionalID = "txn-\(UUID().uuidString.prefix(8))"
        let producer = try KafkaProducer(configuration: configuration)
        try producer.initTransactions()
        var committed = Set<String>()
        var next = 0
        func batch(_ count: Int, prefix: String) throws -> [String] {
            var values: [String] = []
            for _ in 0..<count {
                let value = "\(prefix)\(next)"
                try producer.send(topic: topic, partition: Int32(next) % partitions, key: Array("k\(next)".utf8), value: Array(value.utf8))
                values.append(value)
                next += 1
            }
            return values
        }
        try producer.beginTransaction()
        committed.formUnion(try batch(10, prefix: "c"))
        try producer.commitTransaction()
        try producer.beginTransaction()
        _ = try batch(10, prefix: "aborted")
        try producer.flush()
        try producer.abortTransaction()
        try producer.beginTransaction()
        committed.formUnion(try batch(5, prefix: "c"))
        try producer.commitTransaction()
        try producer.beginTransaction()
        _ = try batch(3, prefix: "open")
        try producer.flush()
        return (producer, committed)
    }
}
