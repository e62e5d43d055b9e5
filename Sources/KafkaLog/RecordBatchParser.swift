/// Reads the v2 record batches of a Fetch answer's records bytes.
///
/// A Fetch answer may end in a partial batch (the broker cuts at the byte limit): it is left
/// for the next fetch, not an error. A whole batch whose CRC32C does not match, whose magic is
/// not 2, or whose records cannot be decoded is an error naming topic, partition and offset.
/// One exception: a control batch whose stored checksum is 0, as librdkafka's mock cluster
/// writes its transaction markers, is read unchecked.
public enum RecordBatchParser {
    /// The bytes of a batch before its `batchLength` field counts: base offset and the length.
    static let lengthPrefix = 12
    /// Base offset .. record count: the fixed header of a v2 batch.
    static let headerSize = 61
    /// Where the CRC-covered part starts (the attributes field).
    static let crcStart = 21

    /// Every whole batch in `bytes`, in order.
    ///
    /// - Throws: ``KafkaLogError/corruptBatch(topic:partition:offset:reason:)``.
    public static func batches(in bytes: [UInt8], topic: String, partition: Int32) throws -> [RecordBatch] {
        try read(bytes, topic: topic, partition: partition).batches
    }

    /// The whole batches in `bytes`, and how many bytes after them begin a partial batch.
    static func read(_ bytes: [UInt8], topic: String, partition: Int32) throws -> (batches: [RecordBatch], partialBytes: Int) {
        var batches: [RecordBatch] = []
        var start = 0
        while bytes.count - start >= lengthPrefix {
            var header = ByteReader(bytes, from: start)
            let baseOffset = try header.int64()
            let length = Int(try header.int32())
            func corrupt(_ reason: String) -> KafkaLogError {
                .corruptBatch(topic: topic, partition: partition, offset: baseOffset, reason: reason)
            }
            guard length >= headerSize - lengthPrefix else { throw corrupt("a batch length of \(length) bytes") }
            let end = start + lengthPrefix + length
            if end > bytes.count { break }
            do {
                batches.append(try batch(bytes, start: start, end: end, baseOffset: baseOffset))
            } catch let error as KafkaLogError {
                throw error
            } catch let reason as BatchFault {
                throw corrupt(reason.description)
            } catch {
                throw corrupt("\(error)")
            }
            start = end
        }
        return (batches, bytes.count - start)
    }

    /// Why a whole batch cannot be read.
    struct BatchFault: Error, CustomStringConvertible {
        var description: String
    }

    private static func batch(_ bytes: [UInt8], start: Int, end: Int, baseOffset: Int64) throws -> RecordBatch {
        var reader = ByteReader(bytes, from: start + lengthPrefix, to: end)
        _ = try reader.int32()  // partition leader epoch
        let magic = try reader.int8()
        guard magic == 2 else { throw BatchFault(description: "magic \(magic), only v2 record batches (magic 2) are read") }
        let stored = try reader.uint32()
        let attributes = try reader.int16()
        let computed = CRC32C.checksum(bytes, (start + crcStart)..<end)
        // librdkafka's mock cluster writes its COMMIT and ABORT markers with no checksum (0);
        // a Kafka broker always sets one. Only a control batch is let through so.
        let uncheckedMarker = stored == 0 && attributes & 0x20 != 0
        guard stored == computed || uncheckedMarker else {
            throw BatchFault(description: "CRC32C mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        let lastOffsetDelta = try reader.int32()
        _ = try reader.int64()  // base timestamp
        _ = try reader.int64()  // max timestamp
        let producerID = try reader.int64()
        let producerEpoch = try reader.int16()
        _ = try reader.int32()  // base sequence
        let count = Int(try reader.int32())
        guard count >= 0 else { throw BatchFault(description: "a record count of \(count)") }
        guard let compression = BatchCompression(rawValue: Int(attributes & 0x07)) else {
            throw BatchFault(description: "unknown compression codec \(attributes & 0x07)")
        }
        let section = try reader.readBytes(reader.remaining)
        let plain: [UInt8]
        do {
            plain = try compression.decompress(section)
        } catch {
            throw BatchFault(description: "cannot decompress its \(compression) records: \(error)")
        }
        var records = ByteReader(plain)
        var out: [LogRecord] = []
        out.reserveCapacity(count)
        for index in 0..<count {
            do {
                out.append(try record(&records, baseOffset: baseOffset))
            } catch {
                throw BatchFault(description: "record \(index) of \(count) cannot be decoded: \(error)")
            }
        }
        guard records.isAtEnd else { throw BatchFault(description: "\(records.remaining) byte(s) after its \(count) records") }
        return RecordBatch(
            baseOffset: baseOffset, lastOffset: baseOffset + Int64(lastOffsetDelta), attributes: attributes,
            producerID: producerID, producerEpoch: producerEpoch, records: out)
    }

    private static func record(_ reader: inout ByteReader, baseOffset: Int64) throws -> LogRecord {
        let length = try reader.varint()
        guard length >= 0, length <= reader.remaining else { throw BatchFault(description: "a record length of \(length)") }
        let end = reader.position + length
        _ = try reader.int8()  // attributes
        _ = try reader.varlong()  // timestamp delta
        let offsetDelta = try reader.varint()
        let key = try bytesField(&reader)
        let value = try bytesField(&reader)
        let headers = try reader.varint()
        guard headers >= 0 else { throw BatchFault(description: "a header count of \(headers)") }
        for _ in 0..<headers {
            _ = try bytesField(&reader)
            _ = try bytesField(&reader)
        }
        guard reader.position == end else {
            throw BatchFault(description: "a record of \(length) bytes whose fields take \(reader.position - end + length)")
        }
        return LogRecord(offset: baseOffset + Int64(offsetDelta), key: key, value: value)
    }

    /// A varint length, then that many bytes; -1 is null.
    private static func bytesField(_ reader: inout ByteReader) throws -> [UInt8]? {
        let length = try reader.varint()
        if length == -1 { return nil }
        return try reader.readBytes(length)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
