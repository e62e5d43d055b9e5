import BrokerRig
import Foundation
import RdKafka
import XCTest

/// `scripts/verify.py`'s two views of a topic and its statistics, checked against what the
/// test produced and in which order, never against the verifier's own reasoning.
final class VerifierViewsTests: RdKafkaTestCase {
    /// Committed and plain records behind another producer's open transaction are hidden now
    /// and visible in the eventual view; once that transaction aborts, a read_committed reader
    /// sees exactly the former eventual view. Also reads to the end of each partition's last
    /// batch although Tansu reports a partition's end as that batch's base offset + 1.
    func testNowAndEventualViewsAroundAnOpenTransactionOnTansu() throws {
        guard try runsOnLibrdkafka216() else { return }
        let broker = try TestBroker.start(.tansu)
        defer { broker.stop() }
        announce("Tansu (scripts/brokers.py tansu) at \(broker.bootstrap)")
        let topic = uniqueName("views")
        try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrap)).createTopic(topic, partitions: 3)
        let scenario = try Scenarios.recordsBehindAnOpenTransaction(bootstrap: broker.bootstrap, topic: topic)
        let ledger = scenario.ledger
        let expectedNow = try ledger.expectedRecords(.now)
        let expectedEventual = try ledger.expectedRecords(.eventual)
        // The scenario's own arithmetic, so a ledger that lost records cannot pass unnoticed.
        XCTAssertEqual(expectedNow.count, 21)
        XCTAssertEqual(expectedEventual.count, 31)

        let now = try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: topic, view: .now)
        let eventual = try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: topic, view: .eventual)
        XCTAssertEqual(now.records, expectedNow, "now: committed and plain records below each partition's LSO")
        XCTAssertEqual(eventual.records, expectedEventual, "eventual: every committed and plain record")
        XCTAssertEqual(try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: topic), now.records)

        let stats = try XCTUnwrap(now.stats)
        XCTAssertEqual(eventual.stats, stats, "the statistics do not depend on the view")
        XCTAssertEqual(stats.topic, topic)
        XCTAssertEqual(stats.transactions, AuditStats.TransactionCounts(committed: 6, aborted: 3, open: 2))
        XCTAssertEqual(stats.transactions, ledger.expectedTransactions())
        XCTAssertEqual(stats.records, AuditStats.RecordCounts(committed: 24, aborted: 13, open: 4, plain: 7, hiddenBehindLSO: 10))
        XCTAssertEqual(stats.records, ledger.expectedRecordCounts())
        XCTAssertEqual(stats.records.visibleNow, now.records.count)
        XCTAssertEqual(stats.records.visibleEventually, eventual.records.count)
        let lastStable = try ledger.expectedLastStableOffsets()
        XCTAssertEqual(Set(lastStable.keys), [0, 2], "the open transaction wrote to partitions 0 and 2")
        try checkPartitions(stats, ledger: ledger, lastStable: lastStable)
        print("[\(name)] with an open transaction: now \(now.records.count), eventual \(eventual.records.count), "
              + "stats \(describe(stats))")

        try scenario.abortOpenTransaction()
        let after = try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: topic, view: .now)
        XCTAssertEqual(after.records, eventual.records, "once the open transaction ended, now is the former eventual view")
        let afterEventual = try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: topic, view: .eventual)
        XCTAssertEqual(afterEventual.records, eventual.records, "aborting the open transaction added nothing")
        let afterStats = try XCTUnwrap(after.stats)
        XCTAssertEqual(afterStats.transactions, AuditStats.TransactionCounts(committed: 6, aborted: 5, open: 0))
        XCTAssertEqual(afterStats.transactions, ledger.expectedTransactions())
        XCTAssertEqual(afterStats.records, AuditStats.RecordCounts(committed: 24, aborted: 17, open: 0, plain: 7, hiddenBehindLSO: 0))
        XCTAssertEqual(afterStats.records, ledger.expectedRecordCounts())
        try checkPartitions(afterStats, ledger: ledger, lastStable: [:])
        print("[\(name)] after aborting it: now \(after.records.count), eventual \(afterEventual.records.count), "
              + "stats \(describe(afterStats))")
    }

    /// The share consumer on librdkafka 2.16's mock has only the now view and no statistics.
    func testShareConsumerHasOnlyTheNowViewAndNoStatistics() throws {
        let broker = try TestBroker.start(.mock216)
        defer { broker.stop() }
        announce("librdkafka 2.16 mock cluster (scripts/brokers.py mock216) at \(broker.bootstrap)")
        let topic = uniqueName("views")
        try broker.createTopic(topic, partitions: 2)
        let (producer, committed) = try Scenarios.mixedTransactions(bootstrap: broker.bootstrap, topic: topic, partitions: 2)
        let report = try Verifier.audit(broker: .mock216, bootstrap: broker.bootstrap, topic: topic, view: .now, expect: committed.count)
        XCTAssertEqual(report.view, .now)
        XCTAssertEqual(Set(report.records.compactMap(\.valueString)), committed)
        XCTAssertEqual(report.records.count, committed.count)
        XCTAssertNil(report.stats)
        XCTAssertThrowsError(try Verifier.audit(broker: .mock216, bootstrap: broker.bootstrap, topic: topic, view: .eventual)) { error in
            XCTAssertTrue("\(error)".contains("use --method audit for --view eventual"), "\(error)")
        }
        _ = producer
    }

    /// Each partition's counts match the ledger's, and its last stable offset is the offset of
    /// its first open record (`lastStable`) or, with nothing open, its log end.
    private func checkPartitions(
        _ stats: AuditStats, ledger: ProductionLedger, lastStable: [Int32: Int64], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        XCTAssertEqual(stats.partitions.map(\.partition), [0, 1, 2], file: file, line: line)
        for partition in stats.partitions {
            let p = partition.partition
            XCTAssertEqual(partition.transactions, ledger.expectedTransactions(in: p), "partition \(p)", file: file, line: line)
            XCTAssertEqual(partition.records, ledger.expectedRecordCounts(in: p), "partition \(p)", file: file, line: line)
            XCTAssertEqual(partition.lastStableOffset, lastStable[p] ?? partition.logEndOffset, "LSO of partition \(p)", file: file, line: line)
        }
    }

    private func describe(_ stats: AuditStats) -> String {
        let t = stats.transactions, r = stats.records
        let partitions = stats.partitions.map {
            "p\($0.partition) LSO \($0.lastStableOffset) end \($0.logEndOffset) "
                + "(Tansu: high watermark \($0.highWatermark), LSO \($0.brokerLastStableOffset))"
        }
        return "transactions committed \(t.committed) aborted \(t.aborted) open \(t.open); records committed \(r.committed) "
            + "aborted \(r.aborted) open \(r.open) plain \(r.plain) hidden behind LSO \(r.hiddenBehindLSO); "
            + partitions.joined(separator: ", ")
    }
}
