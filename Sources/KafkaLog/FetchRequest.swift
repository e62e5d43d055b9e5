/// Fetch v4 of one partition at isolation level read_uncommitted: every batch as stored,
/// aborted and open transactions included, which the audit classifies itself.
enum FetchRequest {
    /// One partition's answer.
    struct Answer {
        var errorCode: Int16
        var highWatermark: Int64
        var lastStableOffset: Int64
        var records: [UInt8]
    }

    static func body(topic: String, partition: Int32, offset: Int64, maxBytes: Int32) -> [UInt8] {
        var writer = RequestWriter()
        writer.int32(-1)  // replica id: a consumer
        writer.int32(50)  // max wait ms: the audit reads what is there, it does not wait for more
        writer.int32(0)  // min bytes
        writer.int32(maxBytes)
        writer.int8(0)  // isolation level: read_uncommitted
        writer.array([topic]) { writer, name in
            writer.string(name)
            writer.array([partition]) { writer, id in
                writer.int32(id)
                writer.int64(offset)
                writer.int32(maxBytes)
            }
        }
        return writer.bytes
    }

    static func decode(_ body: [UInt8], partition: Int32) throws -> Answer? {
        var reader = ByteReader(body)
        _ = try reader.int32()  // throttle time
        for _ in 0..<(try reader.arrayCount()) {
            _ = try reader.string()
            for _ in 0..<(try reader.arrayCount()) {
                let id = try reader.int32()
                let errorCode = try reader.int16()
                let high = try reader.int64()
                let lastStable = try reader.int64()
                for _ in 0..<(try reader.arrayCount()) {  // aborted transactions: not used, see TopicAuditor
                    _ = try reader.int64()
                    _ = try reader.int64()
                }
                let size = try reader.int32()
                let records = size > 0 ? try reader.readBytes(Int(size)) : []
                if id == partition {
                    return Answer(errorCode: errorCode, highWatermark: high, lastStableOffset: lastStable, records: records)
                }
            }
        }
        return nil
    }
}
