import KafkaLog
import XCTest

/// KIP-98 classification of one partition's batches, figures worked out by hand.
final class PartitionAuditTests: XCTestCase {
    private func data(_ base: Int64, _ count: Int, producer: Int64 = -1, transactional: Bool = true, key: String = "k") -> RecordBatch {
        RecordBatch(
            baseOffset: base, lastOffset: base + Int64(count) - 1, attributes: transactional ? 0x10 : 0, producerID: producer,
            producerEpoch: 0,
            records: (0..<count).map { LogRecord(offset: base + Int64($0), key: Array("\(key)\($0)".utf8), value: Array("v".utf8)) })
    }

    private func marker(_ offset: Int64, _ type: Int16, producer: Int64, epoch: Int16 = 0) -> RecordBatch {
        RecordBatch(baseOffset: offset, lastOffset: offset, attributes: 0x30, producerID: producer, producerEpoch: epoch,
                    records: [LogRecord(offset: offset, key: [0, 0, 0, UInt8(type)], value: [0, 0, 0, 0, 0, 0])])
    }

    func testCommittedAbortedOpenAndPlainWithTheLastStableOffset() {
        // offsets: 0-2 plain; 3-4 pid 1 (committed at 8); 5-6 pid 2 (aborted at 9);
        // 7 pid 1 is in the same run as 3-4; 10-12 pid 3 open; 13-14 plain (behind the LSO);
        // 15-16 pid 4, committed at 17 (behind the LSO); 18 COMMIT of pid 5 that wrote nothing here.
        let batches = [
            data(0, 3, transactional: false), data(3, 2, producer: 1), data(5, 2, producer: 2), data(7, 1, producer: 1),
            marker(8, 1, producer: 1), marker(9, 0, producer: 2, epoch: 1), data(10, 3, producer: 3),
            data(13, 2, transactional: false), data(15, 2, producer: 4), marker(17, 1, producer: 4), marker(18, 1, producer: 5),
        ]
        let audit = PartitionAudit(partition: 3, batches: batches, highWatermark: 19)
        XCTAssertEqual(audit.transactions, TransactionCounts(committed: 2, aborted: 1, open: 1))
        XCTAssertEqual(audit.records, RecordCounts(committed: 5, aborted: 2, open: 3, plain: 5, hiddenBehindLastStableOffset: 4))
        XCTAssertEqual(audit.lastStableOffset, 10)
        XCTAssertEqual(audit.logEndOffset, 19)
        XCTAssertEqual(audit.records.visible, 6)
        XCTAssertEqual(audit.visibleRecords.map(\.offset), [0, 1, 2, 3, 4, 7])
        XCTAssertEqual(audit.dataBatches.map(\.state), [.plain, .committed, .aborted, .committed, .open, .plain, .committed])
    }

    func testWithNothingOpenTheLastStableOffsetIsTheLogEnd() {
        let audit = PartitionAudit(
            partition: 0, batches: [data(0, 2, producer: 1), marker(2, 1, producer: 1), data(3, 1, transactional: false)],
            highWatermark: 3)
        XCTAssertEqual(audit.logEndOffset, 4, "one past the last record read, beyond the broker's high watermark")
        XCTAssertEqual(audit.lastStableOffset, 4)
        XCTAssertEqual(audit.records.visible, 3)
        XCTAssertEqual(audit.records.hiddenBehindLastStableOffset, 0)
    }

    func testAnEmptyPartition() {
        let audit = PartitionAudit(partition: 1, batches: [], highWatermark: 0)
        XCTAssertEqual(audit.lastStableOffset, 0)
        XCTAssertEqual(audit.records, RecordCounts())
        XCTAssertEqual(audit.transactions, TransactionCounts())
        XCTAssertTrue(audit.visibleRecords.isEmpty)
    }

    func testTopicTotalsAreSumsOverPartitions() {
        let first = PartitionAudit(partition: 1, batches: [data(0, 2, producer: 1), marker(2, 1, producer: 1)], highWatermark: 3)
        let second = PartitionAudit(partition: 0, batches: [data(0, 1, producer: 1), marker(1, 0, producer: 1), data(2, 4, producer: 2)],
                                    highWatermark: 6)
        let topic = TopicAudit(topic: "t", partitions: [first, second])
        XCTAssertEqual(topic.partitions.map(\.partition), [0, 1])
        XCTAssertEqual(topic.transactions, TransactionCounts(committed: 1, aborted: 1, open: 1))
        XCTAssertEqual(topic.records, RecordCounts(committed: 2, aborted: 1, open: 4, plain: 0, hiddenBehindLastStableOffset: 0))
    }
}
