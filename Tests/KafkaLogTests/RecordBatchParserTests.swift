import KafkaLog
import XCTest

/// The v2 batch parser against batches written byte by byte in ``BatchBytes``, compressed with
/// the C libraries themselves.
final class RecordBatchParserTests: XCTestCase {
    private let sample: [BatchBytes.Record] = [
        BatchBytes.Record(key: Array("k-0".utf8), value: Array(#"{"id":1}"#.utf8), headers: [("h", Array("v".utf8)), ("n", nil)]),
        BatchBytes.Record(key: nil, value: Array("no key".utf8)),
        BatchBytes.Record(key: Array("tombstone".utf8), value: nil),
        BatchBytes.Record(key: [], value: Array(repeating: 0x61, count: 3_000)),
    ]

    private func expected(base: Int64) -> [LogRecord] {
        sample.enumerated().map { LogRecord(offset: base + Int64($0.offset), key: $0.element.key, value: $0.element.value) }
    }

    func testTheTableCRC32CMatchesTheStandardCheckValue() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(BatchBytes.crc32c(Array("123456789".utf8)), 0xE306_9283, "the test's own bitwise CRC")
    }

    func testAnUncompressedBatchHasItsHeaderAndRecords() throws {
        let bytes = BatchBytes.batch(baseOffset: 100, attributes: 0, producerID: 7, producerEpoch: 3, count: sample.count,
                                     section: BatchBytes.records(sample))
        let batches = try RecordBatchParser.batches(in: bytes, topic: "t", partition: 1)
        XCTAssertEqual(batches.count, 1)
        let batch = try XCTUnwrap(batches.first)
        XCTAssertEqual(batch.baseOffset, 100)
        XCTAssertEqual(batch.lastOffset, 103)
        XCTAssertEqual(batch.producerID, 7)
        XCTAssertEqual(batch.producerEpoch, 3)
        XCTAssertFalse(batch.isTransactional)
        XCTAssertFalse(batch.isControl)
        XCTAssertNil(batch.controlType)
        XCTAssertEqual(batch.compression, BatchCompression.none)
        XCTAssertEqual(batch.records, expected(base: 100))
    }

    func testControlBatchesSayCommitOrAbort() throws {
        let bytes = BatchBytes.control(baseOffset: 5, type: 1, producerID: 42, producerEpoch: 2)
            + BatchBytes.control(baseOffset: 6, type: 0, producerID: 43)
            + BatchBytes.control(baseOffset: 7, type: 4, producerID: 44)
        let batches = try RecordBatchParser.batches(in: bytes, topic: "t", partition: 0)
        XCTAssertEqual(batches.map(\.baseOffset), [5, 6, 7])
        XCTAssertEqual(batches.map(\.controlType), [.commit, .abort, .other(4)])
        XCTAssertEqual(batches.map(\.producerID), [42, 43, 44])
        XCTAssertTrue(batches.allSatisfy { $0.isControl && $0.isTransactional })
    }

    func testTransactionalDataBatchesAreMarkedSo() throws {
        let bytes = BatchBytes.batch(baseOffset: 0, attributes: 0x10, producerID: 9, producerEpoch: 0, count: 1,
                                     section: BatchBytes.records([sample[0]]))
        let batch = try XCTUnwrap(try RecordBatchParser.batches(in: bytes, topic: "t", partition: 0).first)
        XCTAssertTrue(batch.isTransactional)
        XCTAssertFalse(batch.isControl)
    }

    func testEveryCodecDecompresses() throws {
        let section = BatchBytes.records(sample)
        let cases: [(BatchCompression, [UInt8])] = [
            (.gzip, BatchBytes.gzip(section)),
            (.snappy, BatchBytes.rawSnappy(section[...])),
            (.snappy, BatchBytes.xerialSnappy(section, blockSize: 1_000)),
            (.lz4, BatchBytes.lz4Frame(section)),
            (.zstd, BatchBytes.zstd(section)),
        ]
        for (index, (codec, compressed)) in cases.enumerated() {
            XCTAssertNotEqual(compressed, section, "\(codec): compressed")
            let base = Int64(1_000 * index)
            let bytes = BatchBytes.batch(baseOffset: base, attributes: 0x10 | Int16(codec.rawValue), producerID: 1, producerEpoch: 0,
                                         count: sample.count, section: compressed)
            let batch = try XCTUnwrap(try RecordBatchParser.batches(in: bytes, topic: "t", partition: 0).first, "\(codec)")
            XCTAssertEqual(batch.compression, codec)
            XCTAssertEqual(batch.records, expected(base: base), "\(codec) case \(index)")
        }
    }

    func testACorruptBatchNamesTopicPartitionAndOffset() throws {
        let good = BatchBytes.batch(baseOffset: 0, attributes: 0, count: 1, section: BatchBytes.records([sample[1]]))
        var bad = BatchBytes.batch(baseOffset: 1, attributes: 0, count: 1, section: BatchBytes.records([sample[0]]))
        bad[bad.count - 5] ^= 0xFF
        XCTAssertThrowsError(try RecordBatchParser.batches(in: good + bad, topic: "orders", partition: 2)) { error in
            guard case .corruptBatch(let topic, let partition, let offset, let reason) = error as? KafkaLogError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(topic, "orders")
            XCTAssertEqual(partition, 2)
            XCTAssertEqual(offset, 1)
            XCTAssertTrue(reason.contains("CRC32C mismatch"), reason)
            XCTAssertTrue("\(error)".hasPrefix("corrupt record batch in topic orders partition 2 at offset 1: "), "\(error)")
        }
    }

    /// librdkafka's mock cluster writes its markers with checksum 0: read for a control batch,
    /// still an error for a data batch.
    func testAZeroChecksumPassesOnlyForAControlBatch() throws {
        func zeroed(_ batch: [UInt8]) -> [UInt8] {
            var bytes = batch
            bytes.replaceSubrange(17..<21, with: [0, 0, 0, 0])
            return bytes
        }
        let marker = zeroed(BatchBytes.control(baseOffset: 3, type: 1, producerID: 5))
        XCTAssertEqual(try RecordBatchParser.batches(in: marker, topic: "t", partition: 0).map(\.controlType), [.commit])
        let data = zeroed(BatchBytes.batch(baseOffset: 4, attributes: 0x10, producerID: 5, producerEpoch: 0, count: 1,
                                           section: BatchBytes.records([sample[0]])))
        XCTAssertThrowsError(try RecordBatchParser.batches(in: data, topic: "t", partition: 0)) { error in
            guard case .corruptBatch(_, _, 4, let reason) = error as? KafkaLogError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("stored 0x00000000"), reason)
        }
    }

    func testCorruptCompressedRecordsAreAnError() throws {
        var compressed = BatchBytes.zstd(BatchBytes.records(sample))
        compressed.removeLast(4)
        let bytes = BatchBytes.batch(baseOffset: 8, attributes: 4, count: sample.count, section: compressed)
        XCTAssertThrowsError(try RecordBatchParser.batches(in: bytes, topic: "t", partition: 0)) { error in
            guard case .corruptBatch(_, _, 8, let reason) = error as? KafkaLogError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("zstd"), reason)
        }
    }

    func testAPartialLastBatchIsLeftForTheNextFetch() throws {
        let first = BatchBytes.batch(baseOffset: 0, attributes: 0, count: 2, section: BatchBytes.records(Array(sample[0..<2])))
        let second = BatchBytes.batch(baseOffset: 2, attributes: 0, count: 2, section: BatchBytes.records(Array(sample[2..<4])))
        for cut in [1, 11, 12, 70, second.count - 1] {
            let batches = try RecordBatchParser.batches(in: first + second.prefix(cut), topic: "t", partition: 0)
            XCTAssertEqual(batches.map(\.baseOffset), [0], "cut at \(cut)")
        }
        XCTAssertEqual(try RecordBatchParser.batches(in: first + second, topic: "t", partition: 0).map(\.lastOffset), [1, 3])
    }
}
