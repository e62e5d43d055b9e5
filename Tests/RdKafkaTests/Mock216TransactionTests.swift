import BrokerRig
import RdKafka
import XCTest

/// Transactions written by this process's librdkafka (Debian's 2.0.2 under `swift test`)
/// into librdkafka 2.16's mock cluster, which writes control batches, and read back by a
/// share consumer that the mock serves read_committed (`scripts/verify.py`).
final class Mock216TransactionTests: RdKafkaTestCase {
    func testCommittedVisibleAbortedAndOpenInvisible() throws {
        let broker = try TestBroker.start(.mock216)
        defer { broker.stop() }
        announce("librdkafka 2.16 mock cluster (scripts/brokers.py mock216) at \(broker.bootstrap)")
        let topic = uniqueName("visibility")
        try broker.createTopic(topic, partitions: 2)
        let (producer, committed) = try Scenarios.mixedTransactions(bootstrap: broker.bootstrap, topic: topic, partitions: 2)
        let seen = try Verifier.committedRecords(broker: .mock216, bootstrap: broker.bootstrap, topic: topic, expect: committed.count)
        XCTAssertEqual(seen.count, 15, "records a read_committed reader sees")
        XCTAssertEqual(Set(seen.compactMap(\.valueString)), committed)
        XCTAssertEqual(seen.count, Set(seen.map { "\($0.partition)@\($0.offset)" }).count, "no record seen twice")
        _ = producer
    }
}
