import CCompression

/// Record batches written byte by byte from the v2 format's definition, apart from the
/// parser under test: its own encoders and its own bitwise CRC-32C.
enum BatchBytes {
    struct Record {
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [(String, [UInt8]?)] = []
    }

    static func bigEndian(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64((count - 1 - $0) * 8)) }
    }

    static func varint(_ value: Int64) -> [UInt8] {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        var out: [UInt8] = []
        while zigzag >= 0x80 {
            out.append(UInt8(zigzag & 0x7f) | 0x80)
            zigzag >>= 7
        }
        return out + [UInt8(zigzag)]
    }

    static func field(_ bytes: [UInt8]?) -> [UInt8] {
        guard let bytes else { return varint(-1) }
        return varint(Int64(bytes.count)) + bytes
    }

    /// The records section: each record with its offset delta (its index) and timestamp delta.
    static func records(_ records: [Record]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, record) in records.enumerated() {
            var body: [UInt8] = [0]  // attributes
            body += varint(Int64(index) * 10)  // timestamp delta
            body += varint(Int64(index))  // offset delta
            body += field(record.key) + field(record.value)
            body += varint(Int64(record.headers.count))
            for (key, value) in record.headers { body += field(Array(key.utf8)) + field(value) }
            out += varint(Int64(body.count)) + body
        }
        return out
    }

    /// A whole batch around a records section (compressed or not).
    static func batch(baseOffset: Int64, attributes: Int16, producerID: Int64 = -1, producerEpoch: Int16 = -1,
                      count: Int, section: [UInt8]) -> [UInt8] {
        var afterCRC: [UInt8] = []
        afterCRC += bigEndian(UInt64(UInt16(bitPattern: attributes)), 2)
        afterCRC += bigEndian(UInt64(count - 1), 4)  // last offset delta
        afterCRC += bigEndian(1_700_000_000_000, 8)  // base timestamp
        afterCRC += bigEndian(1_700_000_000_000 + UInt64(count) * 10, 8)  // max timestamp
        afterCRC += bigEndian(UInt64(bitPattern: producerID), 8)
        afterCRC += bigEndian(UInt64(UInt16(bitPattern: producerEpoch)), 2)
        afterCRC += bigEndian(0, 4)  // base sequence
        afterCRC += bigEndian(UInt64(count), 4)
        afterCRC += section
        let length = 4 + 1 + 4 + afterCRC.count  // leader epoch, magic, crc, rest
        return bigEndian(UInt64(bitPattern: baseOffset), 8) + bigEndian(UInt64(length), 4) + bigEndian(0, 4) + [2]
            + bigEndian(UInt64(crc32c(afterCRC)), 4) + afterCRC
    }

    /// A control batch with one marker record (key: int16 version 0, int16 type).
    static func control(baseOffset: Int64, type: Int16, producerID: Int64, producerEpoch: Int16 = 0) -> [UInt8] {
        let key = bigEndian(0, 2) + bigEndian(UInt64(UInt16(bitPattern: type)), 2)
        let value = bigEndian(0, 2) + bigEndian(0, 4)  // version, coordinator epoch
        return batch(baseOffset: baseOffset, attributes: 0x30, producerID: producerID, producerEpoch: producerEpoch, count: 1,
                     section: records([Record(key: key, value: value)]))
    }

    /// CRC-32C bit by bit (reflected polynomial 0x82F63B78), no table.
    static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0x82F6_3B78 : 0) }
        }
        return ~crc
    }

    // MARK: Compression with the C libraries themselves

    static func gzip(_ data: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: a gzip wrapper, as Kafka clients write.
        precondition(deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                                   Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var input = data
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))) + 64)
        let produced = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<produced])
    }

    static func lz4Frame(_ data: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: LZ4F_compressFrameBound(data.count, nil))
        let size = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { LZ4F_compressFrame(out.baseAddress, out.count, $0.baseAddress, $0.count, nil) }
        }
        precondition(LZ4F_isError(size) == 0)
        return Array(output[0..<size])
    }

    static func zstd(_ data: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(data.count))
        let size = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { ZSTD_compress(out.baseAddress, out.count, $0.baseAddress, $0.count, 3) }
        }
        precondition(ZSTD_isError(size) == 0)
        return Array(output[0..<size])
    }

    static func rawSnappy(_ data: ArraySlice<UInt8>) -> [UInt8] {
        var length = snappy_max_compressed_length(data.count)
        var output = [UInt8](repeating: 0, count: length)
        let status = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes {
                snappy_compress($0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count,
                                out.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
            }
        }
        precondition(status == SNAPPY_OK)
        return Array(output[0..<length])
    }

    /// The Java client's xerial framing: magic, version 1, compatible version 1, then blocks
    /// of int32 length and raw snappy; `blockSize` splits the input so several blocks occur.
    static func xerialSnappy(_ data: [UInt8], blockSize: Int) -> [UInt8] {
        var out: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00] + bigEndian(1, 4) + bigEndian(1, 4)
        for start in stride(from: 0, to: data.count, by: blockSize) {
            let block = rawSnappy(data[start..<min(start + blockSize, data.count)])
            out += bigEndian(UInt64(block.count), 4) + block
        }
        return out
    }
}
